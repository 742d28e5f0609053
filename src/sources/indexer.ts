// Polls the Wazuh indexer (OpenSearch). Wazuh 4.x: alerts in `wazuh-alerts-4.x-*`, sorted on timestamp then
// _id, paged with search_after. Wazuh 5.x: findings in `wazuh-findings-v5-*` (and events in
// `wazuh-events-v5-*` when asked), through a point in time (src/sources/wazuh5.ts). `version` says which, or
// is told from the indexer's data streams (auto). Each poll starts `overlap` before the newest timestamp already
// recorded, because a document can become searchable after later ones (index refresh, Filebeat lag, findings
// written in batches); documents seen twice are dropped by key here and, after a restart, by the store's key.
// The checkpoint (that newest timestamp, one per index pattern) moves only after recording.
import { systemClock, type Clock } from '../clock.js';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../config/component.js';
import { duration } from '../config/fragments.js';
import type { SourceDeps } from './source.js';
import type { Metrics } from '../metrics.js';
import { getCursor, setCursor } from '../store/cursors.js';
import type { Database } from '../store/schema.js';
import type { Backlog } from './backlog.js';
import type { Intake, RawRecord } from './intake.js';
import { Poller } from '../poller.js';
import { wcsKey } from '../model/wcs.js';
import { ALERTS_4X, detectVersion, EVENTS, FINDINGS, IndexerError, IndexerHttp, pitPages, type Hit, type WazuhVersion } from './wazuh5.js';

export const indexerSchema = componentSchema({
  /** The Wazuh indexer (OpenSearch), e.g. https://wazuh-indexer:9200. */
  url: z.string().default('https://127.0.0.1:9200'),
  /** Which Wazuh writes the indexer: 4 (alerts), 5 (findings), or auto (told by its data streams). */
  version: z.enum(['auto', '4', '5']).default('auto'),
  /** Index pattern; empty: wazuh-alerts-4.x-* on 4.x, wazuh-findings-v5-* on 5.x. */
  index: z.string().default(''),
  /** Wazuh 5.x: also read wazuh-events-v5-* (events no Wazuh detector matched; the indexer keeps them about 1 h). */
  events: z.boolean().default(false),
  /** Wazuh 5.x: how long each poll's point in time is kept open between pages. */
  pitKeepAlive: duration.default(60_000),
  user: z.string().default('admin'),
  password: z.string().default(''),
  caFile: z.string().default(''),
  verifyTls: z.boolean().default(true),
  /** Only alerts of this Wazuh rule level or higher (0: all). */
  minLevel: z.number().int().min(0).max(16).default(0),
  /** Time between polls. */
  interval: duration.default(5_000),
  /** How far back each poll looks again, for documents that became searchable late (refresh, ingest lag). */
  overlap: duration.default(60_000),
  /** Documents per request. */
  pageSize: z.number().int().min(1).max(10_000).default(500),
  /** With no checkpoint yet: how far back the first poll starts. */
  lookback: duration.default(0),
  timeout: duration.default(30_000),
});

export type IndexerConfig = z.infer<typeof indexerSchema>;

export const SOURCE = 'indexer';


export interface IndexerDeps {
  db: Kysely<Database>;
  intake: Intake;
  log: Logger;
  backlog?: Pick<Backlog, 'behind'>;
  metrics?: Metrics;
  clock?: Clock;
}

export { IndexerError };

/** One index pattern polled, with its own checkpoint. */
interface Stream {
  pattern: string;
  version: WazuhVersion;
  cursorName: string;
  watermark?: number;
  /** Keys recorded within the overlap window, with their timestamps, so a re-read is not re-recorded. */
  seen: Map<string, number>;
}

export class IndexerSource {
  private readonly dispatcher: Dispatcher;
  private readonly http: IndexerHttp;
  private streams?: Stream[];
  private readonly loop: Poller;

  constructor(
    private readonly config: Omit<IndexerConfig, 'enabled'>,
    private readonly deps: IndexerDeps,
  ) {
    this.dispatcher = new Agent({
      connect: { ca: config.caFile ? readFileSync(config.caFile) : undefined, rejectUnauthorized: config.verifyTls },
      headersTimeout: config.timeout,
      bodyTimeout: config.timeout,
    });
    this.http = new IndexerHttp(config.url, this.dispatcher, 'Basic ' + Buffer.from(`${config.user}:${config.password}`).toString('base64'));
    // A poll reads everything there is, so the next one always waits for the interval.
    this.loop = new Poller(() => this.poll(), {
      every: () => config.interval,
      onError: (err) => deps.log.error({ err: (err as Error).message, url: config.url }, 'indexer: poll failed; retrying at the next interval'),
    });
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.dispatcher.close();
  }

  /** The checkpoint name of the (first) index pattern: `indexer:<url>/<pattern>`. */
  get cursorName(): string {
    return this.streams?.[0]?.cursorName ?? this.nameOf(this.config.index || ALERTS_4X);
  }

  /** Which Wazuh the indexer holds, once known (auto-detection happens at the first poll). */
  get version(): WazuhVersion | undefined {
    return this.streams?.[0]?.version;
  }

  private nameOf(pattern: string): string {
    return `indexer:${this.config.url.replace(/\/+$/, '')}/${pattern}`;
  }

  /** The index patterns to poll, once the version is known. */
  private async resolve(): Promise<Stream[]> {
    if (this.streams) return this.streams;
    const version = this.config.version === 'auto' ? await detectVersion(this.http) : this.config.version;
    if (this.config.version === 'auto') this.deps.log.info({ url: this.config.url, version }, `indexer: Wazuh ${version}.x detected`);
    const patterns = version === '5' ? [this.config.index || FINDINGS, ...(this.config.events ? [EVENTS] : [])] : [this.config.index || ALERTS_4X];
    this.streams = patterns.map((pattern) => ({ pattern, version, cursorName: this.nameOf(pattern), seen: new Map() }));
    return this.streams;
  }

  /** One poll: every page from the overlap start to the newest document. Returns how many alerts were new. */
  async poll(): Promise<number> {
    let added = 0;
    for (const s of await this.resolve()) added += await this.pollStream(s);
    return added;
  }

  private async behind(): Promise<boolean> {
    if (!this.deps.backlog || !(await this.deps.backlog.behind())) return false;
    this.deps.metrics?.backpressure.inc({ source: SOURCE });
    return true;
  }

  private async pollStream(s: Stream): Promise<number> {
    const now = this.deps.clock ?? systemClock;
    if (s.watermark === undefined) {
      const saved = await getCursor(this.deps.db, s.cursorName);
      s.watermark = saved ? (JSON.parse(saved) as { ts: number }).ts : now() - this.config.lookback;
      if (!saved) await this.save(s);
    }
    const from = s.watermark - this.config.overlap;
    let added = 0;
    const record = async (hits: Hit[]) => {
      const fresh: RawRecord[] = [];
      const keys: [string, number][] = [];
      for (const h of hits) {
        // 4.x: the alert (its id is Wazuh's); 5.x: the hit itself, so the document keeps its index and _id.
        const k = s.version === '5' ? wcsKey(h) : undefined;
        const key = k ? `${k.index}/${k.id}` : typeof h._source.id === 'string' ? h._source.id : `${h._index}/${h._id}`;
        if (s.seen.has(key)) continue;
        fresh.push({ data: JSON.stringify(s.version === '5' ? { _index: h._index, _id: h._id, _source: h._source } : h._source), where: `${h._index}/${h._id}` });
        keys.push([key, h.sort[0]]);
      }
      if (fresh.length > 0) added += (await this.deps.intake.record(SOURCE, fresh)).accepted;
      for (const [key, ts] of keys) s.seen.set(key, ts);
      const newest = hits[hits.length - 1]?.sort[0];
      if (newest !== undefined && newest > s.watermark!) {
        s.watermark = newest;
        await this.save(s);
      }
    };
    if (s.version === '5') {
      const keepAlive = `${Math.max(1, Math.round(this.config.pitKeepAlive / 1000))}s`;
      if (!(await this.behind()))
        await pitPages(this.http, { pattern: s.pattern, from, pageSize: this.config.pageSize, keepAlive, minLevel: this.config.minLevel }, async (hits) => {
          await record(hits);
          return !(await this.behind());
        });
    } else {
      let after: [number, string] | undefined;
      for (;;) {
        if (await this.behind()) break;
        const hits = await this.search4(s.pattern, from, after);
        await record(hits);
        if (hits.length > 0) after = hits[hits.length - 1]!.sort;
        if (hits.length < this.config.pageSize) break;
      }
    }
    const keepFrom = s.watermark - this.config.overlap;
    for (const [key, ts] of s.seen) if (ts < keepFrom) s.seen.delete(key);
    return added;
  }

  private async save(s: Stream): Promise<void> {
    await setCursor(this.deps.db, s.cursorName, JSON.stringify({ ts: s.watermark }));
  }

  private async search4(pattern: string, from: number, after: [number, string] | undefined): Promise<Hit[]> {
    const filter: unknown[] = [{ range: { timestamp: { gte: from, format: 'epoch_millis' } } }];
    if (this.config.minLevel > 0) filter.push({ range: { 'rule.level': { gte: this.config.minLevel } } });
    const body = {
      size: this.config.pageSize,
      query: { bool: { filter } },
      sort: [{ timestamp: { order: 'asc' } }, { _id: { order: 'asc' } }],
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    };
    const res = await this.http.call<{ hits?: { hits?: Hit[] } }>('POST', `/${pattern}/_search`, body);
    return res.body.hits?.hits ?? [];
  }
}

export const indexerSource = defineComponent({
  name: 'indexer',
  configSchema: indexerSchema,
  create: (config: IndexerConfig, deps: SourceDeps) => new IndexerSource(config, deps),
  // One poller per indexer (and index pattern) in a cluster: its cursors are rows of the shared store.
  lease: (config: IndexerConfig) => `source:indexer:${config.url.replace(/\/+$/, '')}${config.index ? `/${config.index}` : ''}`,
});
