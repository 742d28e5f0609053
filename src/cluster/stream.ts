// The alert stream of a cluster: the connection to NATS, the JetStream stream every node shares, and the publish
// that ingest awaits before it acknowledges. Subjects: `<stream>.in` (every accepted alert, de-duplicated by its
// key through Nats-Msg-Id) and `<stream>.p.<n>` (the correlation inputs of partition n).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect, credsAuthenticator, headers as natsHeaders, type NatsConnection, type ConnectionOptions } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, RetentionPolicy, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/cluster.js';
import { VigilError } from '../errors.js';
import type { AlertRecord } from '../store/alerts.js';
import type { RecordResult } from '../sources/group-commit.js';

/** NATS is down or JetStream did not acknowledge in time: nothing of the request was acknowledged. */
export class StreamUnavailableError extends VigilError {
  constructor(message: string, options?: ErrorOptions) {
    super('stream_unavailable', message, undefined, options);
  }
}

export const NANOS = 1_000_000;

export const subjects = (stream: string) => ({
  in: `${stream}.in`,
  partition: (p: number) => `${stream}.p.${p}`,
  partitions: `${stream}.p.*`,
});

/** The node's id: configured, or the host name (made safe for a NATS key). */
export function nodeIdOf(config: ClusterConfig): string {
  return config.nodeId || hostname().replace(/[^A-Za-z0-9_-]/g, '-');
}

export function connectionOptions(config: ClusterConfig, name: string): ConnectionOptions {
  const o: ConnectionOptions = { servers: config.servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: false };
  if (config.user) Object.assign(o, { user: config.user, pass: config.password });
  if (config.token) o.token = config.token;
  if (config.credsFile) o.authenticator = credsAuthenticator(readFileSync(config.credsFile));
  const { caFile, certFile, keyFile } = config.tls;
  if (caFile || certFile || keyFile) o.tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
  return o;
}

export class AlertStream {
  readonly subjects: ReturnType<typeof subjects>;
  /** False while the connection to NATS is down (ingest answers 503 at once instead of waiting). */
  connected = true;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly config: ClusterConfig,
    private readonly log: Logger,
  ) {
    this.subjects = subjects(config.stream);
    void this.watch();
  }

  static async open(config: ClusterConfig, nodeId: string, log: Logger): Promise<AlertStream> {
    let nc: NatsConnection;
    try {
      nc = await connect(connectionOptions(config, `vigil ${nodeId}`));
    } catch (err) {
      throw new StreamUnavailableError(`cannot connect to NATS at ${config.servers.join(', ')} (cluster.servers): ${(err as Error).message}`, { cause: err });
    }
    const jsm = await jetstreamManager(nc);
    const stream = new AlertStream(nc, jetstream(nc), jsm, config, log);
    await stream.ensure();
    return stream;
  }

  /** Creates the stream, or brings an existing one's limits to the configured ones (the partition count is not a stream setting). */
  private async ensure(): Promise<void> {
    const c = this.config;
    const want = {
      subjects: [this.subjects.in, this.subjects.partitions],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: c.maxAge * NANOS,
      max_bytes: c.maxBytes > 0 ? c.maxBytes : -1,
      duplicate_window: c.duplicateWindow * NANOS,
      num_replicas: c.replicas,
    };
    try {
      const info = await this.jsm.streams.info(c.stream);
      const s = info.config;
      if (s.max_age !== want.max_age || s.max_bytes !== want.max_bytes || s.duplicate_window !== want.duplicate_window || s.num_replicas !== want.num_replicas)
        await this.jsm.streams.update(c.stream, { max_age: want.max_age, max_bytes: want.max_bytes, duplicate_window: want.duplicate_window, num_replicas: want.num_replicas });
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
      await this.jsm.streams.add({ name: c.stream, ...want }).catch(async (e) => {
        // Another node created it in the meantime.
        if (!/already in use/i.test((e as Error).message)) throw e;
      });
    }
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        if (this.connected) this.log.warn({ server: (s as { server?: string }).server }, 'NATS connection lost: ingest answers 503 until it is back');
        this.connected = false;
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.log.info({ server: (s as { server?: string }).server }, 'NATS connection back');
      }
    }
  }

  /**
   * Publishes alerts into the stream and resolves once JetStream has acknowledged every one (a second publish of
   * the same key within the duplicate window is acknowledged as a duplicate). Throws StreamUnavailableError when
   * NATS is down or does not answer in time: the caller acknowledges nothing.
   */
  async publish(batch: AlertRecord[]): Promise<RecordResult> {
    if (!this.connected || this.nc.isClosed()) throw new StreamUnavailableError('NATS is not reachable: nothing of this request was acknowledged');
    const timeout = this.config.publishTimeout;
    let acks;
    try {
      acks = await Promise.all(
        batch.map((a) => {
          const h = natsHeaders();
          h.set('Vigil-Format', a.format);
          h.set('Vigil-Source', a.source);
          return this.js.publish(this.subjects.in, a.body, { msgID: a.key, headers: h, timeout });
        }),
      );
    } catch (err) {
      throw new StreamUnavailableError(`JetStream did not acknowledge the alerts: ${(err as Error).message}`, { cause: err });
    }
    let duplicates = 0;
    const seqs = acks.map((ack) => {
      if (ack.duplicate) duplicates++;
      return ack.duplicate ? null : ack.seq;
    });
    return { accepted: batch.length - duplicates, duplicates, seqs };
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
