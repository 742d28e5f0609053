// The result cache, persisted. Keyed by provider, API-key fingerprint and indicator: answers fetched with an
// old key are never served under a new one. "No record" answers are cached too; failures are not.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Indicator } from '../model/index.js';
import type { Database } from '../store/schema.js';
import type { LookupResult, Provider, Verdict } from './provider.js';

export interface Cached extends LookupResult {
  fetchedAt: number;
}

export function cacheKey(p: Pick<Provider, 'name' | 'keyFingerprint'>, i: Indicator): string {
  return createHash('sha256').update(`${p.name}\u0000${p.keyFingerprint}\u0000${i.kind}\u0000${i.value}`).digest('hex');
}

export class EnrichmentCache {
  constructor(private readonly db: Kysely<Database>) {}

  /** `db`: the caller's transaction, when inside one. */
  async get(p: Provider, i: Indicator, now: number, db: Kysely<Database> = this.db): Promise<Cached | undefined> {
    const row = await db
      .selectFrom('enrich_cache')
      .selectAll()
      .where('cache_key', '=', cacheKey(p, i))
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      found: Number(row.found) === 1,
      verdict: row.verdict as Verdict,
      summary: row.summary,
      link: row.link ?? undefined,
      data: JSON.parse(row.data_json),
      fetchedAt: Number(row.fetched_at),
    };
  }

  /** `db`: the caller's transaction, when inside one. */
  async put(p: Provider, i: Indicator, r: LookupResult, now: number, db: Kysely<Database> = this.db): Promise<void> {
    const values = { provider: p.name, kind: i.kind, value: i.value, ...answerColumns(r, now), expires_at: now + p.ttl(r) };
    await db
      .insertInto('enrich_cache')
      .values({ cache_key: cacheKey(p, i), ...values })
      .onConflict((oc) => oc.column('cache_key').doUpdateSet(values))
      .execute();
  }

  /** Drops expired answers; returns how many. */
  async prune(now: number): Promise<number> {
    const r = await this.db.deleteFrom('enrich_cache').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** An answer as stored, in the cache and in each incident's lookups. */
export function answerColumns(r: LookupResult, fetchedAt: number) {
  return {
    found: r.found ? 1 : 0,
    verdict: r.verdict,
    summary: r.summary,
    link: r.link ?? null,
    data_json: JSON.stringify(r.data),
    fetched_at: fetchedAt,
  };
}

/** Retention: answers past their own expiry (the cache's retention is its TTL), at most `limit`; returns how many went. */
export async function purgeExpiredAnswers(db: Kysely<Database>, now: number, limit: number): Promise<number> {
  const keys = db.selectFrom('enrich_cache').select('cache_key').where('expires_at', '<', now).limit(limit);
  const r = await db.deleteFrom('enrich_cache').where('cache_key', 'in', keys).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
