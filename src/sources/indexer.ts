// Polls the Wazuh indexer (OpenSearch) for alerts: `wazuh-alerts-4.x-*`, sorted on timestamp then _id, paged with
// search_after. Each poll starts `overlap` before the newest timestamp already recorded, because a document can
// become searchable after later ones (index refresh, Filebeat lag); alerts seen twice are dropped by id here and,
// after a restart, by the store's key. The checkpoint (that newest timestamp) moves only after recording.
import { systemClock, type Clock } from '../clock.js';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { defineComponent } from '../config/component.js';
import { duration } from '../config/fragments.js';
import type { SourceDeps } from './source.js';
import type { Metrics } from '../metrics.js';
import { getCursor, setCursor } from '../store/cursors.js';
import type { Database } from '../store/schema.js';
import type { Backlog } from './backlog.js';
import type { Intake, RawRecord } from './intake.js';
import { Poller } from '../poller.js';
import { VigilError, type ErrorLocation } from '../errors.js';

export const indexerSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The Wazuh indexer (OpenSearch), e.g. https://wazuh-indexer:9200. */
    url: z.string().default('https://127.0.0.1:9200'),
    index: z.string().default('wazuh-alerts-4.x-*'),
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
  })
  .strict();

export type IndexerConfig = z.infer<typeof indexerSchema>;

export const SOURCE = 'indexer';

interface Hit {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
  sort: [number, string];
}

export interface IndexerDeps {
  db: Kysely<Database>;
  intake: Intake;
  log: Logger;
  backlog?: Pick<Backlog, 'behind'>;
  metrics?: Metrics;
  clock?: Clock;
}

export class IndexerError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('indexer', message, location);
  }
}

export class IndexerSource {
  readonly cursorName: string;
  private readonly dispatcher: Dispatcher;
  private readonly auth: string;
  /** Alert ids recorded within the overlap window, with their timestamps, so a re-read is not re-recorded. */
  private readonly seen = new Map<string, number>();
  private watermark?: number;
  private readonly loop: Poller;

  constructor(
    private readonly config: Omit<IndexerConfig, 'enabled'>,
    private readonly deps: IndexerDeps,
  ) {
    this.cursorName = `indexer:${config.url.replace(/\/+$/, '')}/${config.index}`;
    this.dispatcher = new Agent({
      connect: { ca: config.caFile ? readFileSync(config.caFile) : undefined, rejectUnauthorized: config.verifyTls },
      headersTimeout: config.timeout,
      bodyTimeout: config.timeout,
    });
    this.auth = 'Basic ' + Buffer.from(`${config.user}:${config.password}`).toString('base64');
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

  /** One poll: every page from the overlap start to the newest document. Returns how many alerts were new. */
  async poll(): Promise<number> {
    const now = this.deps.clock ?? systemClock;
    if (this.watermark === undefined) {
      const saved = await getCursor(this.deps.db, this.cursorName);
      this.watermark = saved ? (JSON.parse(saved) as { ts: number }).ts : now() - this.config.lookback;
      if (!saved) await this.save();
    }
    const from = this.watermark - this.config.overlap;
    let after: [number, string] | undefined;
    let added = 0;
    for (;;) {
      if (this.deps.backlog && (await this.deps.backlog.behind())) {
        this.deps.metrics?.backpressure.inc({ source: SOURCE });
        break;
      }
      const hits = await this.search(from, after);
      const fresh: RawRecord[] = [];
      const ids: [string, number][] = [];
      for (const h of hits) {
        const id = typeof h._source.id === 'string' ? h._source.id : `${h._index}/${h._id}`;
        if (this.seen.has(id)) continue;
        fresh.push({ data: JSON.stringify(h._source), where: `${h._index}/${h._id}` });
        ids.push([id, h.sort[0]]);
      }
      if (fresh.length > 0) added += (await this.deps.intake.record(SOURCE, fresh)).accepted;
      for (const [id, ts] of ids) this.seen.set(id, ts);
      if (hits.length > 0) {
        const newest = hits[hits.length - 1]!.sort[0];
        if (newest > this.watermark) {
          this.watermark = newest;
          await this.save();
        }
        after = hits[hits.length - 1]!.sort;
      }
      if (hits.length < this.config.pageSize) break;
    }
    const keepFrom = this.watermark - this.config.overlap;
    for (const [id, ts] of this.seen) if (ts < keepFrom) this.seen.delete(id);
    return added;
  }

  private async save(): Promise<void> {
    await setCursor(this.deps.db, this.cursorName, JSON.stringify({ ts: this.watermark }));
  }

  private async search(from: number, after: [number, string] | undefined): Promise<Hit[]> {
    const filter: unknown[] = [{ range: { timestamp: { gte: from, format: 'epoch_millis' } } }];
    if (this.config.minLevel > 0) filter.push({ range: { 'rule.level': { gte: this.config.minLevel } } });
    const body = {
      size: this.config.pageSize,
      query: { bool: { filter } },
      sort: [{ timestamp: { order: 'asc' } }, { _id: { order: 'asc' } }],
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    };
    const url = `${this.config.url.replace(/\/+$/, '')}/${this.config.index}/_search`;
    const res = await request(url, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: { authorization: this.auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      let reason = text.slice(0, 300);
      try {
        const e = JSON.parse(text).error;
        reason = typeof e === 'string' ? e : `${e?.type}: ${e?.reason}`;
      } catch {
        // keep the raw text
      }
      throw new IndexerError(`${url} answered ${res.statusCode}: ${reason}`);
    }
    const parsed = JSON.parse(text) as { hits?: { hits?: Hit[] } };
    return parsed.hits?.hits ?? [];
  }
}

export const indexerSource = defineComponent({
  name: 'indexer',
  configSchema: indexerSchema,
  create: (config: IndexerConfig, deps: SourceDeps) => new IndexerSource(config, deps),
});
