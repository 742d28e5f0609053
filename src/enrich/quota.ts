// Each provider's spent quota, persisted: the calls of the last rolling minute and the count of the current
// UTC day, plus a block after the provider itself refused (429 or a quota error). Every token is a call
// made; it comes back one minute (or one UTC day) after it was spent, so no rolling minute ever holds more
// than the per-minute limit — the guarantee a plain refilling bucket cannot give — and a restart resumes
// the same budget.
import type { Kysely } from 'kysely';
import { isPostgres } from '../store/migrations/util.js';
import type { Database } from '../store/schema.js';
import type { Quota } from './provider.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const BACKOFF_MIN = MINUTE;
const BACKOFF_MAX = 3_600_000;

/** What a lookup waits for: the per-minute or daily budget, or a provider that refused. */
export type QuotaWait = 'minute' | 'day' | 'refused';
export type QuotaDecision = { ok: true } | { ok: false; until: number; why: QuotaWait };

/** A lookup's wait as the analyst reads it beside the lookup. */
export const quotaWaitText = (why: QuotaWait, until: number) =>
  `waiting for quota (${why === 'day' ? 'daily limit reached' : why === 'minute' ? 'per-minute limit reached' : 'provider refused'}) until ${new Date(until).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;

interface State {
  minute: number[];
  day: string;
  dayUsed: number;
  blockedUntil: number;
  strikes: number;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class QuotaLedger {
  constructor(private readonly db: Kysely<Database>) {}

  private async load(provider: string, now: number, db: Kysely<Database> = this.db): Promise<State> {
    const row = await db.selectFrom('enrich_quota').selectAll().where('provider', '=', provider).executeTakeFirst();
    const day = utcDay(now);
    if (!row) return { minute: [], day, dayUsed: 0, blockedUntil: 0, strikes: 0 };
    return {
      minute: (JSON.parse(row.minute_json) as number[]).filter((t) => t > now - MINUTE),
      day,
      dayUsed: row.day === day ? Number(row.day_used) : 0,
      blockedUntil: Number(row.blocked_until),
      strikes: Number(row.strikes),
    };
  }

  private async save(provider: string, s: State, now: number, db: Kysely<Database> = this.db): Promise<void> {
    const values = {
      minute_json: JSON.stringify(s.minute),
      day: s.day,
      day_used: s.dayUsed,
      blocked_until: s.blockedUntil,
      strikes: s.strikes,
      updated_at: now,
    };
    await db
      .insertInto('enrich_quota')
      .values({ provider, ...values })
      .onConflict((oc) => oc.column('provider').doUpdateSet(values))
      .execute();
  }

  /**
   * Reads the provider's state, lets `change` decide, and writes what it changed, as one atomic step: the row is
   * made first if it is missing, then read locked (`FOR UPDATE` on PostgreSQL; SQLite's transactions hold the
   * single writer), so two nodes sharing the store never both spend the last token of a minute.
   */
  private async modify<T>(provider: string, now: number, change: (s: State) => { result: T; changed: boolean }, outer?: Kysely<Database>): Promise<T> {
    const step = async (trx: Kysely<Database>) => {
      const locked = () => trx.selectFrom('enrich_quota').select('provider').where('provider', '=', provider).$call((q) => (isPostgres(trx) ? q.forUpdate() : q)).executeTakeFirst();
      if (!(await locked())) {
        await trx
          .insertInto('enrich_quota')
          .values({ provider, minute_json: '[]', day: utcDay(now), day_used: 0, blocked_until: 0, strikes: 0, updated_at: now })
          .onConflict((oc) => oc.column('provider').doNothing())
          .execute();
        await locked();
      }
      const s = await this.load(provider, now, trx);
      const { result, changed } = change(s);
      if (changed) await this.save(provider, s, now, trx);
      return result;
    };
    // Inside the caller's transaction, when given one: the step commits with the caller's other writes.
    return outer ? step(outer) : this.db.transaction().execute(step);
  }

  /** Spends one call if the budget allows; otherwise says until when to wait. `trx`: the caller's transaction, when inside one. */
  async take(provider: string, quota: Quota, now: number, trx?: Kysely<Database>): Promise<QuotaDecision> {
    return this.modify<QuotaDecision>(provider, now, (s) => {
      if (s.blockedUntil > now) return { result: { ok: false, until: s.blockedUntil, why: 'refused' }, changed: false };
      if (quota.perDay > 0 && s.dayUsed >= quota.perDay) return { result: { ok: false, until: Math.floor(now / DAY) * DAY + DAY, why: 'day' }, changed: false };
      if (quota.perMinute > 0 && s.minute.length >= quota.perMinute) {
        return { result: { ok: false, until: s.minute[s.minute.length - quota.perMinute]! + MINUTE, why: 'minute' }, changed: false };
      }
      s.minute.push(now);
      // Nodes' clocks differ a little: the window stays in time order whoever spent last.
      s.minute.sort((a, b) => a - b);
      if (quota.perMinute > 0) s.minute = s.minute.slice(-quota.perMinute);
      s.dayUsed++;
      return { result: { ok: true }, changed: true };
    }, trx);
  }

  /** The provider refused for quota: no call until Retry-After, or a backoff that doubles with each refusal. */
  async refused(provider: string, now: number, retryAfterMs?: number): Promise<number> {
    return this.modify(provider, now, (s) => {
      s.strikes++;
      const wait = retryAfterMs ?? Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (s.strikes - 1));
      s.blockedUntil = Math.max(s.blockedUntil, now + wait);
      return { result: s.blockedUntil, changed: true };
    });
  }

  /** An answer arrived: refusals are forgotten. */
  async answered(provider: string, now: number): Promise<void> {
    // Nearly always nothing to forget: a plain read says so without a transaction.
    const seen = await this.load(provider, now);
    if (seen.strikes === 0 && seen.blockedUntil === 0) return;
    return this.modify(provider, now, (s) => {
      if (s.strikes === 0 && s.blockedUntil === 0) return { result: undefined, changed: false };
      s.strikes = 0;
      s.blockedUntil = 0;
      return { result: undefined, changed: true };
    });
  }

  /**
   * The earliest time a call could be made after `queued` others waiting before it, spending nothing: the end of a
   * provider's back-off, the next UTC day once the daily budget is spent, or when enough of the last minute's
   * calls have aged out; and which of those bounds it (none: at once). `db` lets a caller inside a transaction
   * read through it.
   */
  async availableAt(provider: string, quota: Quota, now: number, queued = 0, db: Kysely<Database> = this.db): Promise<{ at: number; why?: QuotaWait }> {
    const s = await this.load(provider, now, db);
    let at = now;
    let why: QuotaWait | undefined;
    const bound = (t: number, w: QuotaWait) => {
      if (t > at) (at = t), (why = w);
    };
    bound(s.blockedUntil, 'refused');
    if (quota.perDay > 0 && s.dayUsed + queued >= quota.perDay) bound(Math.floor(now / DAY) * DAY + DAY, 'day');
    if (quota.perMinute > 0 && s.minute.length + queued >= quota.perMinute) {
      // The call after `queued` others is the (minute.length + queued − perMinute)-th of the window to age out.
      const k = s.minute.length + queued - quota.perMinute;
      bound(k < s.minute.length ? s.minute[k]! + MINUTE : now + MINUTE * (1 + Math.floor((k - s.minute.length) / quota.perMinute)), 'minute');
    }
    return { at, why };
  }

  /** Calls spent today (UTC) and in the last minute: for the budget meter and tests. */
  async spent(provider: string, now: number): Promise<{ day: number; minute: number; blockedUntil: number }> {
    const s = await this.load(provider, now);
    return { day: s.dayUsed, minute: s.minute.length, blockedUntil: s.blockedUntil };
  }
}

/** Every provider's quota use as of `now`: calls in the rolling minute and on the current UTC day, for /metrics. */
export async function quotaUse(db: Kysely<Database>, now: number): Promise<{ provider: string; minute: number; day: number }[]> {
  const today = utcDay(now);
  const rows = await db.selectFrom('enrich_quota').select(['provider', 'minute_json', 'day', 'day_used']).execute();
  return rows.map((q) => ({
    provider: q.provider,
    minute: (JSON.parse(q.minute_json) as number[]).filter((t) => t > now - 60_000).length,
    day: q.day === today ? Number(q.day_used) : 0,
  }));
}
