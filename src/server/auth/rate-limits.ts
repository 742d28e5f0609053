// The rate limit's counters in the store (owner of the `rate_limits` table), as a @fastify/rate-limit store: every
// node sharing the store counts a client's attempts together, so the login limit holds however the attempts are
// spread over the nodes. A counter is one row per route and client, bumped in one atomic upsert: a fixed window
// that starts at the first hit and restarts at the first hit after it ends (what the library's own store does).
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql, type Kysely } from 'kysely';
import { systemClock, type Clock } from '../../clock.js';
import type { Database } from '../../store/schema.js';

type Callback = (err: Error | null, res: { current: number; ttl: number }) => void;

/** How often (at most) a node deletes counters whose window ended long ago. */
const PRUNE_EVERY = 10 * 60_000;
/** A counter is deleted this long after its window started (longer than any window a route uses). */
const KEEP = 24 * 3_600_000;


/** Counts one hit and returns the count in the window and what is left of it. */
export async function countHit(db: Kysely<Database>, key: string, windowMs: number, now: number): Promise<{ current: number; ttl: number }> {
  const ended = sql<boolean>`rate_limits.window_start + ${windowMs} <= ${now}`;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, hits: 1, window_start: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`case when ${ended} then 1 else rate_limits.hits + 1 end`,
        window_start: sql<number>`case when ${ended} then ${now} else rate_limits.window_start end`,
      }),
    )
    .returning(['hits', 'window_start'])
    .executeTakeFirstOrThrow();
  return { current: Number(row.hits), ttl: Math.max(0, Number(row.window_start) + windowMs - now) };
}

/** The count in the current window, counting nothing. */
export async function readHits(db: Kysely<Database>, key: string, windowMs: number, now: number): Promise<{ current: number; ttl: number }> {
  const row = await db.selectFrom('rate_limits').select(['hits', 'window_start']).where('key', '=', key).executeTakeFirst();
  if (!row || Number(row.window_start) + windowMs <= now) return { current: 0, ttl: 0 };
  return { current: Number(row.hits), ttl: Number(row.window_start) + windowMs - now };
}

/** A @fastify/rate-limit `store` class over this store (pass it as the plugin's `store` option). */
export function rateLimitStore(db: Kysely<Database>, clock: Clock = systemClock): FastifyRateLimitStoreCtor {
  let lastPrune = 0;
  const prune = (now: number) => {
    if (now - lastPrune < PRUNE_EVERY) return;
    lastPrune = now;
    void db.deleteFrom('rate_limits').where('window_start', '<', now - KEEP).execute().catch(() => {});
  };
  const failed = (cb: Callback) => (err: Error) => cb(err, { current: 0, ttl: 0 });
  class Store implements FastifyRateLimitStore {
    constructor(
      _options?: unknown,
      private readonly prefix = '',
    ) {}
    incr(key: string, cb: Callback, timeWindow: number): void {
      const now = clock();
      prune(now);
      countHit(db, this.prefix + key, timeWindow, now).then((r) => cb(null, r), failed(cb));
    }
    read(key: string, cb: Callback, timeWindow: number): void {
      readHits(db, this.prefix + key, timeWindow, clock()).then((r) => cb(null, r), failed(cb));
    }
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // The library passes the route's merged options, the route itself under `routeInfo`.
      const r = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? routeOptions;
      return new Store(undefined, `${[r.method ?? ''].flat().join(',')} ${r.url ?? ''}|`);
    }
  }
  return Store;
}
