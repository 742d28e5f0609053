// Wazuh 5.x on the indexer: findings in the `wazuh-findings-v5-*` data streams (and, optionally, the events of
// `wazuh-events-v5-*`, kept about an hour). Each poll opens a point in time, pages it with search_after sorted on
// @timestamp then _id, and closes it. Findings are written in batches some time after their event's @timestamp,
// so every poll starts `overlap` before the newest @timestamp recorded, and what was read twice is dropped by key.
// A finding is keyed by the event it was found in (event.index / event.doc_id), so the event and its findings
// count once, as one Wazuh 4.x alert did. Which Wazuh an indexer holds is told by its data streams.
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { LEVEL_BANDS } from '../model/wcs.js';
import { VigilError } from '../errors.js';

export type WazuhVersion = '4' | '5';

export const FINDINGS = 'wazuh-findings-v5-*';
export const EVENTS = 'wazuh-events-v5-*';
export const ALERTS_4X = 'wazuh-alerts-4.x-*';

export class IndexerError extends VigilError {
  constructor(message: string) {
    super('indexer', message);
  }
}

export interface Hit {
  _index: string;
  _id: string;
  _source: Record<string, any>;
  sort: [number, string];
}

/** HTTP to the indexer: HTTPS with the configured CA, Basic auth, errors with the indexer's own reason. */
export class IndexerHttp {
  constructor(
    readonly url: string,
    private readonly dispatcher: Dispatcher,
    private readonly auth: string,
  ) {}

  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, ok: number[] = [200]): Promise<{ status: number; body: T }> {
    const url = `${this.url.replace(/\/+$/, '')}${path}`;
    const res = await request(url, {
      method,
      dispatcher: this.dispatcher,
      headers: { authorization: this.auth, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (!ok.includes(res.statusCode)) {
      let reason = text.slice(0, 300);
      try {
        const e = JSON.parse(text).error;
        reason = typeof e === 'string' ? e : `${e?.type}: ${e?.reason}`;
      } catch {
        // keep the raw text
      }
      throw new IndexerError(`${method} ${url} answered ${res.statusCode}: ${reason}`);
    }
    return { status: res.statusCode, body: (text ? JSON.parse(text) : {}) as T };
  }
}

/**
 * 4 or 5, from what the indexer holds: Wazuh 5's templates create the `wazuh-findings-v5-*` data streams, Wazuh
 * 4's Filebeat the `wazuh-alerts-4.x-*` indices. Neither (a fresh install): an error naming the config key.
 */
export async function detectVersion(http: IndexerHttp): Promise<WazuhVersion> {
  const res = await http.call<{ indices?: { name: string }[]; data_streams?: { name: string }[] }>(
    'GET',
    `/_resolve/index/${encodeURIComponent(`${FINDINGS},${ALERTS_4X}`)}`,
  );
  const names = [...(res.body.data_streams ?? []), ...(res.body.indices ?? [])].map((x) => x.name);
  if (names.some((n) => /(^|\.ds-)wazuh-findings-v5-/.test(n))) return '5';
  if (names.some((n) => n.startsWith('wazuh-alerts-4.x-'))) return '4';
  throw new IndexerError(`${http.url} holds neither ${FINDINGS} nor ${ALERTS_4X} yet; set sources.indexer.version to 4 or 5 to say which`);
}

/** The keyword levels a 4.x `minLevel` keeps: those whose band reaches it. */
export function levelsFrom(minLevel: number): string[] {
  return Object.entries(LEVEL_BANDS)
    .filter(([, [, hi]]) => hi >= minLevel)
    .map(([k]) => k);
}

export interface PitSearch {
  pattern: string;
  from: number;
  pageSize: number;
  keepAlive: string;
  minLevel: number;
}

/**
 * Every page of one pattern from `from` on, inside one point in time (a consistent view across pages: no
 * document is skipped or read twice because a refresh happened between two pages). `onPage` records a page
 * and says whether to go on (false: the pipeline is behind).
 */
export async function pitPages(http: IndexerHttp, q: PitSearch, onPage: (hits: Hit[]) => Promise<boolean>): Promise<void> {
  const opened = await http.call<{ pit_id?: string }>('POST', `/${encodeURIComponent(q.pattern)}/_search/point_in_time?keep_alive=${q.keepAlive}`);
  let pit = opened.body.pit_id;
  if (!pit) throw new IndexerError(`the indexer opened no point in time on ${q.pattern}`);
  try {
    const filter: unknown[] = [{ range: { '@timestamp': { gte: q.from, format: 'epoch_millis' } } }];
    if (q.minLevel > 0 && q.pattern === FINDINGS) filter.push({ terms: { 'wazuh.rule.level': levelsFrom(q.minLevel) } });
    let after: [number, string] | undefined;
    for (;;) {
      const res: { body: { pit_id?: string; hits?: { hits?: Hit[] } } } = await http.call<{ pit_id?: string; hits?: { hits?: Hit[] } }>('POST', '/_search', {
        size: q.pageSize,
        query: { bool: { filter } },
        sort: [{ '@timestamp': { order: 'asc' } }, { _id: { order: 'asc' } }],
        pit: { id: pit, keep_alive: q.keepAlive },
        track_total_hits: false,
        ...(after ? { search_after: after } : {}),
      });
      pit = res.body.pit_id ?? pit; // the id may change between searches: always use the newest
      const hits = res.body.hits?.hits ?? [];
      if (hits.length > 0) after = hits[hits.length - 1]!.sort;
      const more = await onPage(hits);
      if (!more || hits.length < q.pageSize) break;
    }
  } finally {
    await http.call('DELETE', '/_search/point_in_time', { pit_id: [pit] }, [200, 404]).catch(() => {});
  }
}
