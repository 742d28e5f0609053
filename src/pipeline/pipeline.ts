// detect → triage → act for one batch of events. Detections, incident changes, outbox rows and the input
// cursor commit in one transaction, so a crash leaves either all of a batch's effects or none.
import { systemClock, type Clock } from '../clock.js';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Actions } from '../act/actions.js';
import type { Detector } from '../detect/detector.js';
import type { CorrelationFiring } from '../detect/correlation/engine.js';
import type { Detection, Event } from '../model/index.js';
import { CursorFencedError, setCursor, setFencedCursor } from '../store/cursors.js';
import { storeErrorKind } from '../store/errors.js';
import { quarantineRecords, type QuarantineRow } from '../store/quarantine.js';
import type { RuleModes } from '../store/rule-modes.js';
import type { Database } from '../store/schema.js';
import type { TriageContext } from '../triage/context.js';
import { entityOf, extendIncident, fingerprintOf, fingerprintOfEntity, lockFingerprints, triage, triageBatch, type TriageOptions, type TriageOutcome } from '../triage/incidents.js';
import type { TriageBatch } from '../triage/batch.js';
import { Announcer, type EnrichPlan } from './announce.js';
import { EventBus } from '../events.js';
import type { RiskScorer } from '../triage/risk.js';

export interface PipelineOptions {
  /** The act stage: turns an incident change into outbox rows by the playbooks. */
  actions: Actions;
  triage: TriageOptions;
  /** Analyst-set rule modes: a disabled rule's detections are dropped, a shadowed one's only counted. */
  ruleModes?: RuleModes;
  /** Queues a new incident's lookups (in the transaction); returns when its notification may go. */
  enrich?: EnrichPlan;
  /** Clock for triage (tests inject one). */
  clock?: Clock;
  /** Where the pipeline says what it did (detections, queued actions and lookups, set-aside records). */
  events?: EventBus;
  /** Risk-based alerting (`risk.enabled`): each detection adds risk to its entities; a crossing opens a risk incident. */
  risk?: RiskScorer;
  /**
   * Cluster mode: runs after detection and before anything of the batch commits (or is dropped for making
   * nothing): publishes the firings the detector forwarded to other partitions, so that none is lost to a crash
   * between the commit of the checkpoint past their events and their publish.
   */
  beforeCommit?: () => Promise<void>;
}

/** A firing of a correlation made on another cluster partition, for the correlations built on it here. */
export interface Chained {
  chained: CorrelationFiring;
}

/** What a pipeline reads: events, and (on a cluster partition) firings handed on by other partitions. */
export type PipelineInput = Event | Chained;

const isChained = (input: PipelineInput): input is Chained => 'chained' in input;

export interface Cursor {
  name: string;
  value: string;
  /**
   * Written only with the batch's other writes: a batch that makes none commits nothing (its caller writes the
   * cursor later). Handling such a batch again after a crash makes what it made the first time: nothing.
   */
  deferrable?: boolean;
  /**
   * The writer's fencing token (src/store/cursors.ts fenceCursor): the batch commits only while no newer owner has
   * taken the cursor over; otherwise all of it rolls back and handle() throws CursorFencedError.
   */
  fence?: number;
}

export class Pipeline {
  private readonly events: EventBus;
  readonly announcer: Announcer;
  /** What analyst actions and the lifecycle scheduler use: the same store, clock and announcer. */
  readonly triageContext: TriageContext;

  constructor(
    private readonly db: Kysely<Database>,
    readonly detector: Detector,
    private readonly log: Logger,
    private readonly options: PipelineOptions,
  ) {
    this.events = options.events ?? new EventBus();
    this.announcer = new Announcer(options.actions, options.enrich, options.clock ?? systemClock, options.triage.assets);
    this.triageContext = { db, clock: options.clock, announce: this.announcer.announce };
  }

  /** Runs detection over events without effects: rebuilds correlation state after a restart. */
  warm(events: readonly PipelineInput[]): void {
    for (const e of events) isChained(e) ? this.detector.chained(e.chained) : this.detector.process(e);
    this.detector.takeContinuations(); // their incidents counted them before the restart
    this.detector.takeSealed();
  }

  /**
   * The end of the input (a replay): the correlations judged when their windows close close them all, and
   * what they fire is recorded like any detection.
   */
  async flush(): Promise<Detection[]> {
    return this.handle([], undefined, [], this.detector.flush());
  }

  /**
   * Windows of the correlations judged at their close that the clock says are over (the scheduler's pass, when
   * no later event came to close them): what they fire is recorded like any detection. Firings whose commit
   * fails are kept and committed by the next call. `cursor`: the input's cursor as it stands, written with the
   * firings (only when there are any), so that a fenced owner's firings are fenced too.
   */
  async expire(now: number, cursor?: Cursor): Promise<Detection[]> {
    this.closedByClock.push(...this.detector.expire(now));
    if (this.closedByClock.length === 0) {
      // A silenced correlation that closed may still have fed (and forwarded to) the ones built on it.
      await this.options.beforeCommit?.();
      return [];
    }
    const fresh = await this.handle([], cursor && { ...cursor, deferrable: true }, [], this.closedByClock);
    this.closedByClock = [];
    return fresh;
  }

  private closedByClock: Detection[] = [];

  /**
   * `unreadable`: recorded alerts the caller could not read back, set aside in the same transaction.
   * `closed`: detections already made (flush).
   */
  async handle(events: readonly PipelineInput[], cursor?: Cursor, unreadable: QuarantineRow[] = [], closed: Detection[] = []): Promise<Detection[]> {
    const detections: Detection[] = [...closed];
    const unprocessable: QuarantineRow[] = [...unreadable];
    // Continuations of bursts that ended inside this batch, each with the number of detections made before
    // it: committed in that place, so they extend the old burst's incident, not the one its group opens next.
    const sealed: Sealed[] = [];
    for (const e of events) {
      try {
        const found = isChained(e) ? this.detector.chained(e.chained) : this.detector.process(e);
        for (const c of this.detector.takeSealed()) sealed.push({ c, before: detections.length });
        for (const d of found) detections.push(d);
      } catch (err) {
        // No single event stops detection: one the detector cannot take is set aside with its reason.
        if (isChained(e)) unprocessable.push(setAside(`firing of rule ${e.chained.rule.ref.id} from another partition: detection failed`, err, JSON.stringify(e.chained.group)));
        else unprocessable.push(setAside(`alert ${e.id}: detection failed`, err, JSON.stringify(e.data)));
      }
    }
    const continuations = [...sealed, ...this.detector.takeContinuations().map((c) => ({ c, before: detections.length }))];
    await this.options.beforeCommit?.();
    if (detections.length === 0 && continuations.length === 0 && (!cursor || cursor.deferrable) && unprocessable.length === 0) return [];
    let done: Committed;
    for (const d of detections) for (const e of d.events) this.announcer.inHand.set(e.id, e);
    try {
      try {
        done = await this.commit(detections, continuations, cursor, unprocessable, false);
      } catch (err) {
        // A newer owner has the cursor: nothing of this batch may be kept, one by one or not.
        if (err instanceof CursorFencedError || storeErrorKind(err) !== 'refused') throw err;
        // The store refused something of this batch (a value it cannot hold, a limit): commit it again with each
        // detection on its own savepoint, so only the one refused is set aside and the cursor moves on.
        this.log.warn({ err: (err as Error).message }, 'a batch could not be committed; committing its detections one by one');
        done = await this.commit(detections, continuations, cursor, unprocessable, true);
      }
    } finally {
      this.announcer.current = undefined;
      this.announcer.inHand.clear();
    }
    const { fresh, outcomes, setAside: refused } = done;
    for (const q of refused) this.log.error({ reason: q.reason, detail: q.detail }, `record set aside (ingest_quarantine): ${q.detail}`);
    if (refused.length > 0) this.events.emit('quarantined', refused);
    for (const d of fresh) {
      this.log.info({ rule: d.rule.id, title: d.rule.title, group: d.group, count: d.count }, 'detection');
      this.events.emit('detection', d);
    }
    if (this.announcer.actions > 0) this.events.emit('actionsQueued');
    if (this.announcer.enrichPlanned > 0) this.events.emit('lookupsQueued');
    if (outcomes.length > 0) this.events.emit('triaged');
    return fresh;
  }

  /**
   * commit(), again when PostgreSQL rolled the transaction back for a deadlock or a serialization failure with
   * another node's transaction (40P01, 40001): nothing of it was kept, so running it again is safe.
   */
  private async commit(detections: Detection[], continuations: Sealed[], cursor: Cursor | undefined, unprocessable: QuarantineRow[], isolate: boolean): Promise<Committed> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commitOnce(detections, continuations, cursor, unprocessable, isolate);
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw err;
        this.log.warn({ code, attempt }, 'the batch met another transaction on the same incidents; committing it again');
      }
    }
  }

  /** Detections, incident changes, outbox rows and the cursor in one transaction; `isolate` gives each detection a savepoint. */
  private async commitOnce(detections: Detection[], continuations: Sealed[], cursor: Cursor | undefined, unprocessable: QuarantineRow[], isolate: boolean): Promise<Committed> {
    const fresh: Detection[] = [];
    const outcomes: TriageOutcome[] = [];
    const setAsideRows = [...unprocessable];
    const now = this.options.clock ?? systemClock;
    this.announcer.actions = 0;
    this.announcer.enrichPlanned = 0;
    await this.db.transaction().execute(async (trx) => {
      const enabled = detections.filter((d) => (this.options.ruleModes?.mode(d.rule.id) ?? 'enabled') === 'enabled');
      // The batch's detections fold into their incidents in memory; written by batch.sync (before the commit at the latest).
      const batch = triageBatch(trx, enabled, this.options.triage);
      const ctx = { ...this.triageContext, db: trx, batch };
      // Every incident this batch may fold into, locked at once in one order (several nodes on one store).
      await lockFingerprints(
        trx,
        batch.unlocked([
          ...detections.filter((d) => this.options.ruleModes?.mode(d.rule.id) !== 'disabled').map(fingerprintOf),
          ...continuations.filter(({ c }) => Object.keys(c.group).length > 0).map(({ c }) => fingerprintOfEntity(c.rule.ref, c.group)),
        ]),
      );
      const guarded = async (what: () => string, sample: () => string, work: () => Promise<void>) => {
        if (!isolate) return work();
        await sql`savepoint vigil_record`.execute(trx);
        try {
          await work();
          // Written inside the savepoint: a refused write is this record's alone.
          await batch.sync();
          await sql`release savepoint vigil_record`.execute(trx);
        } catch (err) {
          if (storeErrorKind(err) !== 'refused') throw err;
          await sql`rollback to savepoint vigil_record`.execute(trx);
          batch.discard();
          setAsideRows.push(setAside(what(), err, sample()));
        }
      };
      // A burst that fired and went on within one batch counts all of it: each continuation is committed after
      // the detections made before it (most come at the end of the batch; see `sealed` above).
      let next = 0;
      const extendUpTo = async (made: number) => {
        for (; next < continuations.length && continuations[next]!.before <= made; next++) {
          const { c } = continuations[next]!;
          if ((this.options.ruleModes?.mode(c.rule.ref.id) ?? 'enabled') !== 'enabled') continue;
          await guarded(
            () => `continuation of rule ${c.rule.ref.id}`,
            () => JSON.stringify({ rule: c.rule.ref.id, group: c.group, count: c.count }),
            async () => {
              await extendIncident(trx, { ruleId: c.rule.ref.id, tags: c.rule.ref.tags, group: c.group, count: c.count, lastTime: c.lastTime, events: c.events }, now(), batch);
            },
          );
        }
      };
      const handleOne = async (d: Detection, mode: 'enabled' | 'shadow'): Promise<void> => {
        if (mode === 'shadow') {
          const modes = this.options.ruleModes!;
          await modes.countShadow(trx, d.rule.id);
          await modes.recordShadow(trx, { ruleId: d.rule.id, fingerprint: fingerprintOf(d), entity: entityOf(d), firstTime: d.firstTime, time: d.time, events: d.count }, this.options.triage.quietPeriod, now());
          return;
        }
        const outcome = await this.triageOne(ctx, d, now(), fresh, outcomes);
        if (!outcome || 'suppressed' in outcome || !this.options.risk) return;
        // The risk it adds to its entities; an entity that crossed gets a risk detection, triaged the same way.
        for (const crossing of await this.options.risk.add(trx, d, outcome.incident.id, now())) {
          // Its fingerprint is known only now: locked late (a deadlock with another node rolls the batch back, to be committed again).
          await lockFingerprints(trx, [fingerprintOf(crossing.detection)]);
          const risk = await this.triageOne(ctx, crossing.detection, now(), fresh, outcomes);
          if (risk && !('suppressed' in risk)) {
            // It rewrites the risk incident's rule and count: the batch's changes are written first.
            await batch.sync();
            await this.options.risk.linkContributors(trx, risk.incident.id, crossing, now());
          }
        }
      };
      for (const [i, d] of detections.entries()) {
        // Most detections have no continuation before them: no call (and no promise) for them.
        if (next < continuations.length && continuations[next]!.before <= i) await extendUpTo(i);
        const mode = this.options.ruleModes?.mode(d.rule.id) ?? 'enabled';
        if (mode === 'disabled') continue;
        if (!isolate) await handleOne(d, mode);
        else
          await guarded(
            () => `detection of rule ${d.rule.id} over alerts ${d.eventIds.slice(0, 20).join(', ')}`,
            () => JSON.stringify({ rule: d.rule.id, group: d.group, eventIds: d.eventIds.slice(0, 100) }),
            () => handleOne(d, mode),
          );
      }
      await extendUpTo(detections.length);
      await batch.sync();
      await quarantineRecords(trx, setAsideRows);
      // Last: a fenced write that is refused rolls back all of the above (its detections, incidents, outbox rows).
      if (cursor?.fence !== undefined) await setFencedCursor(trx, cursor.name, cursor.value, cursor.fence);
      else if (cursor) await setCursor(trx, cursor.name, cursor.value);
    });
    return { fresh, outcomes, setAside: setAsideRows };
  }

  /** Records one detection and folds it into an incident; undefined when it was seen before. */
  private async triageOne(ctx: TriageContext & { batch: TriageBatch }, d: Detection, now: number, fresh: Detection[], outcomes: TriageOutcome[]): Promise<TriageOutcome | undefined> {
    const batch = ctx.batch;
    // Detection ids are deterministic: one seen before (a replayed window) has had its effects already.
    const recording = batch.recordDetection(d, now);
    if (!(recording instanceof Promise ? await recording : recording)) return undefined;
    this.announcer.current = d;
    const outcome = await triage(batch.trx, d, this.options.triage, ctx, now);
    this.announcer.current = undefined;
    if ('suppressed' in outcome) await batch.markSuppressed(d.id, outcome.suppressed.id);
    fresh.push(d);
    outcomes.push(outcome);
    return outcome;
  }
}

interface Committed {
  fresh: Detection[];
  outcomes: TriageOutcome[];
  setAside: QuarantineRow[];
}

type Continuation = ReturnType<Detector['takeContinuations']>[number];
/** A continuation and how many of the batch's detections were made before it. */
type Sealed = { c: Continuation; before: number };

function setAside(what: string, err: unknown, sample: string): QuarantineRow {
  return { source: 'pipeline', reason: 'unprocessable', detail: `${what}: ${(err as Error)?.message ?? String(err)}`, size: Buffer.byteLength(sample), sample: sample.slice(0, 4096) };
}
