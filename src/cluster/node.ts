// One node of a cluster (README "Cluster mode"). Three loops:
//
// - detect: a durable JetStream consumer over `<stream>.in` shared by every node (each alert goes to one of
//   them). The node records the alert in the store, runs the single-event rules, and re-publishes each
//   correlation input onto the partition its (correlation rule, group key) hashes to; only then is the alert
//   acknowledged. A redelivery after a crash is harmless: the alert key, the detection id and the partition
//   message id (alert key + partition) are all de-duplicated.
// - partitions: each of the fixed number of partitions is owned by one node at a time (a lease, see
//   partition-leases.ts), chosen by rendezvous hashing over the live nodes so that they spread and move as
//   little as possible when a node joins or leaves. The owner reads its partition subject in stream order and
//   runs the correlations; its checkpoint (the last stream sequence handled) commits in the pipeline's own
//   transaction with the detections it led to, fenced: each new owner raises the checkpoint's fencing token when it
//   takes the partition, and a batch of a former owner (one that stalled past its lease) is rolled back whole and
//   that owner drops the partition. A new owner replays the partition from the correlation window
//   before the checkpoint without effects (rebuild), then goes on after it: an attack that spans the failover is
//   detected once. A firing that feeds a chained correlation of another partition (one grouped differently) is
//   published to that partition before the checkpoint commits (chained.ts), and read there as an input.
// - membership: a heartbeat every third of the lease TTL renews the leases and publishes this node's report.
import { createHash } from 'node:crypto';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CorrelationRule, RuleSet } from '../detect/rules.js';
import type { Metrics } from '../metrics.js';
import type { Event } from '../model/index.js';
import type { PipelineParts } from '../pipeline/build.js';
import type { Pipeline, PipelineInput } from '../pipeline/pipeline.js';
import { Backlog } from '../sources/backlog.js';
import { readRecordedAlert } from '../sources/ndjson.js';
import { recordAlerts, type AlertRecord } from '../store/alerts.js';
import { CursorFencedError, fenceCursor } from '../store/cursors.js';
import type { QuarantineRow } from '../store/quarantine.js';
import type { Database } from '../store/schema.js';
import { FIRING_HEADER, Forwards, type FiringReader } from './chained.js';
import { NANOS, type AlertStream } from './stream.js';
import type { Membership, NodeReport, PartitionLeases } from './partition-leases.js';
import type { SourceState } from './source-lease.js';

export const DETECT_CONSUMER = 'detect';
const BATCH = 1000;

/**
 * Where a correlation input goes: a hash of (correlation rule, group key) over a fixed partition count. Chained
 * correlations (one fed by another's firings) hash as one: by the first id of their chain, so when the outer rule
 * groups by the inner one's group-by values, an inner firing and the outer rule's other inputs meet on the
 * partition where the inner fired. When it groups differently, the outer's (rule, group) hashes elsewhere and the
 * inner's owner forwards the firing there (chained.ts).
 */
export class Partitioner {
  private readonly chain = new Map<CorrelationRule, string>();

  constructor(
    ruleSet: RuleSet,
    readonly partitions: number,
  ) {
    const correlations = ruleSet.rules.filter((r): r is CorrelationRule => r.kind === 'correlation');
    const byRef = new Map<string, CorrelationRule>();
    for (const c of correlations) {
      byRef.set(c.ref.id, c);
      if (c.name) byRef.set(c.name, c);
    }
    // Union-find over "references": each chain is named by its smallest rule id.
    const parent = new Map<CorrelationRule, CorrelationRule>(correlations.map((c) => [c, c]));
    const find = (c: CorrelationRule): CorrelationRule => {
      while (parent.get(c) !== c) c = parent.get(c)!;
      return c;
    };
    for (const c of correlations)
      for (const ref of c.rules) {
        const inner = byRef.get(ref);
        if (!inner) continue;
        const [a, b] = [find(c), find(inner)];
        if (a !== b) (a.ref.id < b.ref.id ? parent.set(b, a) : parent.set(a, b));
      }
    for (const c of correlations) this.chain.set(c, find(c).ref.id);
  }

  of(rule: CorrelationRule, key: string): number {
    const id = this.chain.get(rule) ?? rule.ref.id;
    return createHash('sha1').update(id).update('\u0000').update(key).digest().readUInt32BE(0) % this.partitions;
  }
}

/** The node that should own a partition among the live ones: highest rendezvous hash (stable as nodes come and go). */
export function preferredOwner(partition: number, nodes: string[]): string | undefined {
  let best: string | undefined;
  let score = -1;
  for (const n of nodes) {
    const s = createHash('sha1').update(`${partition}\u0000${n}`).digest().readUInt32BE(0);
    if (s > score || (s === score && best !== undefined && n < best)) [best, score] = [n, s];
  }
  return best;
}

export const checkpointName = (stream: string, partition: number) => `cluster:${stream}:p${partition}`;

interface Checkpoint {
  /** Stream sequence of the last partition message handled. */
  seq: number;
  /** Its stream time (ms): the rebuild starts one correlation window before it. */
  time: number;
}

/** Collects, while the detect pipeline runs, the partitions each event's correlation inputs belong to. */
export class Router {
  readonly routes = new Map<Event, Set<number>>();
  constructor(readonly partitioner: Partitioner) {}
  get partitions(): number {
    return this.partitioner.partitions;
  }
  readonly note = (rule: CorrelationRule, key: string, event?: Event): boolean => {
    if (!event) return false; // a firing: none is made here, every correlation runs on a partition
    let set = this.routes.get(event);
    if (!set) this.routes.set(event, (set = new Set()));
    set.add(this.partitioner.of(rule, key));
    return false; // correlated on the partition's owner, not here
  };
}

export interface ClusterNodeOptions {
  nodeId: string;
  listen: string;
  stream: AlertStream;
  leases: PartitionLeases;
  membership: Membership;
  db: Kysely<Database>;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** The pipeline of single-event rules, whose correlation inputs the router collects. */
  detect: Pipeline;
  router: Router;
  /** A pipeline that correlates only the inputs of one partition: `split` says which, and where chained ones go. */
  partitionPipeline: (split: NonNullable<PipelineParts['split']>) => Pipeline;
  /** Reads the firings other partitions forward (the rule set's correlations). */
  firings: FiringReader;
  /** How far before a checkpoint a rebuild starts: the longest correlation timespan plus the lateness allowance. */
  warmWindow: number;
  /** The leased sources (alerts file, indexer) this node reads or stands by for, by lease (source-lease.ts). */
  sources?: () => Record<string, SourceState>;
}

export class ClusterNode {
  private readonly workers = new Map<number, PartitionWorker>();
  private detectMessages?: ConsumerMessages;
  private detectLoop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;
  private ticked = false;
  private preferred = new Set<number>();
  private readonly startedAt: number;
  /** Alerts in `<stream>.in` not yet handled by any node (as the last delivered message said). */
  ingestLag = 0;

  constructor(private readonly o: ClusterNodeOptions) {
    this.startedAt = o.clock();
  }

  get partitions(): number {
    return this.o.router.partitions;
  }

  /** True once this node owns every partition it should and has rebuilt each. */
  ready(): boolean {
    if (!this.ticked) return false;
    for (const p of this.preferred) if (!this.workers.get(p)?.rebuilt) return false;
    return true;
  }

  owned(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.ensureDetectConsumer();
    this.detectLoop = this.runDetect();
    await this.tick();
    const every = Math.max(200, Math.floor(this.o.stream.config.leaseTtl / 3));
    this.timer = setInterval(() => {
      if (!this.ticking) this.ticking = this.tick().finally(() => (this.ticking = undefined));
    }, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    this.detectMessages?.stop();
    await this.detectLoop;
    for (const [p, w] of this.workers) {
      await w.stop();
      await this.o.leases.release(leaseName(p)).catch(() => {});
    }
    this.workers.clear();
    await this.o.membership.leave(this.o.nodeId).catch(() => {});
  }

  private report(): NodeReport {
    const partitions: NodeReport['partitions'] = {};
    for (const [p, w] of this.workers) partitions[String(p)] = { lag: w.lag, rebuildMs: w.rebuildMs };
    return { id: this.o.nodeId, listen: this.o.listen, startedAt: this.startedAt, at: this.o.clock(), ready: this.ready(), partitions, sources: this.o.sources?.() ?? {} };
  }

  /** One heartbeat: renew membership and leases, take the partitions this node should own, hand over the others. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.o.membership.heartbeat(this.report());
      const live = [...(await this.o.membership.nodes()).keys()];
      if (!live.includes(this.o.nodeId)) live.push(this.o.nodeId);
      const holders = await this.o.leases.holders();
      const preferred = new Set<number>();
      for (let p = 0; p < this.partitions; p++) {
        const me = preferredOwner(p, live) === this.o.nodeId;
        if (me) preferred.add(p);
        const name = leaseName(p);
        const worker = this.workers.get(p);
        if (worker) {
          const renewed = await this.o.leases.renew(name);
          if (!renewed || worker.failed) {
            if (!renewed) this.o.log.warn({ partition: p }, 'partition lease lost; another node serves it now');
            await this.drop(p, renewed);
          } else if (!me) {
            // A node joined that this partition belongs to: hand it over (its checkpoint is committed).
            this.o.log.info({ partition: p, to: preferredOwner(p, live) }, 'handing partition over');
            await this.drop(p, true);
          }
        } else if (me && !this.stopped && !holders.has(name) && (await this.o.leases.acquire(name))) {
          const w = new PartitionWorker(p, this.o);
          this.workers.set(p, w);
          // A start that failed (JetStream still recovering after a restart, the store unreachable) is marked so
          // the next heartbeat drops it, releases the lease and starts it again: left as it was, the partition
          // would stay held and never rebuilt, and the node never ready.
          await w.start().catch((err) => {
            w.failed = true;
            throw err;
          });
        }
      }
      this.preferred = preferred;
      this.ticked = true;
      // Windows of the correlations judged at their close that the clock says are over (as a single node's runner does).
      for (const w of this.workers.values()) await w.expire();
      this.o.metrics.clusterPartitionsOwned.set(this.workers.size);
      this.o.metrics.clusterIngestLag.set(this.ingestLag);
      for (const [p, w] of this.workers) this.o.metrics.clusterPartitionLag.set({ partition: String(p) }, w.lag);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cluster heartbeat failed; retrying');
    }
  }

  private async drop(p: number, release: boolean): Promise<void> {
    const w = this.workers.get(p);
    this.workers.delete(p);
    await w?.stop();
    this.o.metrics.clusterPartitionLag.remove({ partition: String(p) });
    if (release) await this.o.leases.release(leaseName(p));
  }

  private async ensureDetectConsumer(): Promise<void> {
    const { jsm, config, subjects } = this.o.stream;
    try {
      await jsm.consumers.info(config.stream, DETECT_CONSUMER);
    } catch {
      await jsm.consumers
        .add(config.stream, {
          durable_name: DETECT_CONSUMER,
          filter_subject: subjects.in,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: this.o.stream.config.ackWait * NANOS,
          max_ack_pending: 20_000,
        })
        .catch((err) => {
          if (!/already in use|exists/i.test((err as Error).message)) throw err;
        });
    }
  }

  private async runDetect(): Promise<void> {
    const { js, config } = this.o.stream;
    while (!this.stopped) {
      try {
        const consumer = await js.consumers.get(config.stream, DETECT_CONSUMER);
        this.detectMessages = await consumer.consume({ max_messages: 2 * BATCH });
        if (this.stopped) this.detectMessages.stop();
        await inBatches(this.detectMessages, (batch) => this.detectBatch(batch), (err, batch) => {
          this.o.log.error({ err: (err as Error).message, alerts: batch.length }, 'cluster: handling alerts from the stream failed; they are delivered again');
          for (const m of batch) m.nak(1000);
        });
      } catch (err) {
        if (this.stopped) break;
        this.o.log.warn({ err: (err as Error).message }, 'cluster: the detect consumer stopped; resuming');
        await sleep(1000);
      }
    }
  }

  private async detectBatch(msgs: JsMsg[]): Promise<void> {
    const records: AlertRecord[] = [];
    const events: Event[] = [];
    const unreadable: QuarantineRow[] = [];
    for (const m of msgs) {
      const body = m.string();
      const format = m.headers?.get('Vigil-Format') || 'wazuh';
      try {
        const event = readRecordedAlert(body, format);
        records.push({ key: event.key, eventId: event.id, format: event.format, source: m.headers?.get('Vigil-Source') || 'cluster', body, event });
        events.push(event);
      } catch (err) {
        unreadable.push({ source: 'cluster', reason: 'invalid', detail: `stream message ${m.seq} cannot be read: ${(err as Error).message}`, size: Buffer.byteLength(body), sample: body.slice(0, 4096) });
      }
    }
    const recorded = await recordAlerts(this.o.db, records, this.o.clock());
    // A redelivered alert is already recorded; its detections are de-duplicated by id, so it runs again.
    const router = this.o.router;
    router.routes.clear();
    await this.o.detect.handle(events, undefined, unreadable);
    if (recorded.accepted > 0) this.o.metrics.clusterAlertsRecorded.inc(recorded.accepted);
    const publishes: Promise<unknown>[] = [];
    const { js, subjects } = this.o.stream;
    records.forEach((r) => {
      const parts = router.routes.get(r.event!);
      if (!parts) return;
      for (const p of parts) {
        const h = natsHeaders();
        h.set('Vigil-Format', r.format);
        publishes.push(js.publish(subjects.partition(p), r.body, { msgID: `${r.key}:${p}`, headers: h, timeout: this.o.stream.config.publishTimeout }));
      }
    });
    router.routes.clear();
    await Promise.all(publishes);
    for (const m of msgs) m.ack();
    const last = msgs[msgs.length - 1];
    if (last) this.ingestLag = last.info.pending;
  }
}

const leaseName = (p: number) => `p${p}`;

/** Serves one partition: rebuild from before the checkpoint, then correlate in stream order. */
class PartitionWorker {
  rebuilt = false;
  rebuildMs: number | null = null;
  lag = 0;
  /** Handling failed: the owner restarts it from its checkpoint on the next heartbeat. */
  failed = false;
  /** The checkpoint's fencing token this worker took it with (fenceCursor): its batches commit only while it is the newest. */
  private fence = 0;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private consumerName?: string;
  private readonly pipeline: Pipeline;
  /** Firings of this partition's correlations that chained correlations of other partitions read. */
  private readonly forwards: Forwards;
  private checkpoint: Checkpoint = { seq: 0, time: 0 };
  /**
   * The last stream sequence this worker handed to its pipeline (warm or live). NATS writes a consumer's delivered
   * state to disk asynchronously, so a nats-server that is killed and restarted resumes the consumer from an older
   * state and delivers its last messages once more; fed twice, they would count twice in the correlation state,
   * and a window they push over its threshold during warm() would fire with no effect: the attack never detected.
   */
  private handed = 0;
  private stopping = false;
  /** Batches and clock expiries of the pipeline, one at a time. */
  private lock: Promise<unknown> = Promise.resolve();

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.catch(() => {});
    return run;
  }

  /** Closes the windows the clock says are over; only once the partition is rebuilt. */
  async expire(): Promise<void> {
    if (!this.rebuilt || this.stopping || this.failed) return;
    await this.exclusive(() => this.pipeline.expire(this.o.clock(), { name: this.cursor, value: JSON.stringify(this.checkpoint), fence: this.fence })).catch((err) => {
      if (this.superseded(err)) return;
      this.o.log.warn({ partition: this.partition, err: (err as Error).message }, 'cluster: closing correlation windows failed; retried at the next heartbeat');
    });
  }

  /** A newer owner took the checkpoint over (this node stalled past its lease): stop; the heartbeat drops the partition. */
  private superseded(err: unknown): boolean {
    if (!(err instanceof CursorFencedError)) return false;
    this.o.log.warn({ partition: this.partition, fence: this.fence }, 'cluster: another node took this partition over; its batch here was rolled back and the partition is dropped');
    this.failed = true;
    this.messages?.stop();
    return true;
  }

  constructor(
    readonly partition: number,
    private readonly o: ClusterNodeOptions,
  ) {
    const { partitioner } = o.router;
    const { js, nc, config, subjects } = o.stream;
    // Room for the headers within the server's largest message.
    const maxBytes = () => (nc.info?.max_payload ?? 1024 * 1024) - 4096;
    this.forwards = new Forwards((rule, key) => partitioner.of(rule, key), js, subjects.partition, { timeout: config.publishTimeout, maxBytes });
    this.pipeline = o.partitionPipeline({
      singles: false,
      correlate: (rule, key) => partitioner.of(rule, key) === partition,
      forward: this.forwards.forward,
      beforeCommit: this.forwards.publish,
    });
  }

  private get cursor(): string {
    return checkpointName(this.o.stream.config.stream, this.partition);
  }

  async start(): Promise<void> {
    const began = this.o.clock();
    // Taking the checkpoint raises its fence: from now on a former owner's batch cannot commit.
    const taken = await fenceCursor(this.o.db, this.cursor, JSON.stringify(this.checkpoint));
    this.checkpoint = JSON.parse(taken.value) as Checkpoint;
    this.fence = taken.fence;
    const { jsm, js, config, subjects } = this.o.stream;
    this.consumerName = `p${this.partition}-${this.o.nodeId}-${began.toString(36)}`;
    const from = this.checkpoint.seq > 0 ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Math.max(0, this.checkpoint.time - this.o.warmWindow)).toISOString() } : { deliver_policy: DeliverPolicy.All };
    const info = await jsm.consumers.add(config.stream, {
      name: this.consumerName,
      filter_subject: subjects.partition(this.partition),
      ack_policy: AckPolicy.None,
      inactive_threshold: 60_000 * NANOS,
      ...from,
    });
    const done = () => {
      if (this.rebuilt) return;
      this.rebuilt = true;
      this.rebuildMs = this.o.clock() - began;
      this.o.metrics.clusterPartitionRebuild.set({ partition: String(this.partition) }, this.rebuildMs / 1000);
      this.o.log.info({ partition: this.partition, ms: this.rebuildMs, checkpoint: this.checkpoint.seq }, 'partition rebuilt and served');
    };
    if (info.num_pending === 0) done();
    const consumer = await js.consumers.get(config.stream, this.consumerName);
    // A consumer that vanished (NATS lost it) ends the loop: the owner restarts the partition from its checkpoint.
    this.messages = await consumer.consume({ max_messages: 2 * BATCH, abort_on_missing_resource: true });
    this.loop = inBatches(
      this.messages,
      (batch) => this.exclusive(async () => {
        if (this.stopping) return;
        const warm: PipelineInput[] = [];
        const live: PipelineInput[] = [];
        for (const m of batch) {
          // The consumer delivers in stream order: a sequence not above the last one handed is a redelivery.
          if (m.seq <= this.handed) continue;
          this.handed = m.seq;
          const input = this.read(m);
          if (input) (m.seq <= this.checkpoint.seq ? warm : live).push(input);
        }
        if (warm.length > 0) this.forwards.muted(() => this.pipeline.warm(warm));
        const last = batch[batch.length - 1]!;
        if (last.seq > this.checkpoint.seq) {
          const at: Checkpoint = { seq: last.seq, time: Math.floor(last.info.timestampNanos / NANOS) };
          await this.pipeline.handle(live, { name: this.cursor, value: JSON.stringify(at), fence: this.fence });
          this.checkpoint = at;
        }
        this.lag = last.info.pending;
        if (last.seq >= this.checkpoint.seq || last.info.pending === 0) done();
      }),
      (err) => {
        if (this.superseded(err)) return;
        this.o.log.error({ partition: this.partition, err: (err as Error).message }, 'cluster: a partition batch failed; the partition restarts from its checkpoint');
        this.failed = true;
        this.messages?.stop();
      },
    )
      .catch((err) => this.o.log.warn({ partition: this.partition, err: (err as Error).message }, 'cluster: the partition consumer stopped'))
      .finally(() => {
        if (!this.stopping) this.failed = true;
      });
  }

  /** A partition message: an alert (one of its correlation inputs), or a firing another partition forwarded. */
  private read(m: JsMsg): PipelineInput | undefined {
    if (!m.headers?.has(FIRING_HEADER)) {
      try {
        return readRecordedAlert(m.string(), m.headers?.get('Vigil-Format') || 'wazuh');
      } catch {
        return undefined; // the detect consumer quarantined it already
      }
    }
    let chained;
    try {
      chained = this.o.firings.read(m.string());
    } catch (err) {
      this.o.log.error({ partition: this.partition, seq: m.seq, err: (err as Error).message }, 'cluster: a forwarded firing cannot be read; skipped');
      return undefined;
    }
    if (!chained) this.o.log.warn({ partition: this.partition, seq: m.seq }, 'cluster: a forwarded firing names a rule this node has not loaded (do all nodes load the same rules?); skipped');
    return chained ? { chained } : undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.loop;
    if (this.consumerName) await this.o.stream.jsm.consumers.delete(this.o.stream.config.stream, this.consumerName).catch(() => {});
  }
}

/**
 * Hands the messages of a consumer to `handle` in batches: everything delivered while the previous batch was
 * handled goes in the next one. One batch at a time, in delivery order; after a failed batch nothing more is
 * handed until `onError` has run.
 */
async function inBatches(msgs: ConsumerMessages, handle: (batch: JsMsg[]) => Promise<void>, onError: (err: unknown, batch: JsMsg[]) => void): Promise<void> {
  const queue: JsMsg[] = [];
  let draining: Promise<void> | undefined;
  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH);
      try {
        await handle(batch);
      } catch (err) {
        onError(err, [...batch, ...queue.splice(0)]);
      }
    }
    draining = undefined;
  };
  for await (const m of msgs) {
    queue.push(m);
    draining ??= new Promise<void>((r) => setImmediate(r)).then(drain);
    if (queue.length >= 2 * BATCH) await draining;
  }
  await draining;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cluster mode's backlog: the alerts in the stream no node has handled yet (sources pause above ingest.maxBacklog). */
export class StreamBacklog extends Backlog {
  constructor(
    private readonly node: () => ClusterNode | undefined,
    max: number,
  ) {
    super(undefined as never, () => 0, max);
  }

  override get size(): number {
    return this.node()?.ingestLag ?? 0;
  }

  override async behind(): Promise<boolean> {
    return this.size > this.max;
  }

  override async refresh(): Promise<number> {
    return this.size;
  }
}
