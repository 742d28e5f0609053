import { systemClock } from '../clock.js';
// What a store error means for the record being written, the same on SQLite and PostgreSQL: the disk is full
// (say so, retry later), the store is unreachable or busy (retry later, nothing is wrong with the record), or
// the store refuses this record's data (no retry can help: set the record aside and go on).

/** What a 503 for a full or unavailable store tells the sender to wait. */
export const STORE_RETRY_AFTER_SECONDS = 30;

export type StoreErrorKind = 'full' | 'unavailable' | 'refused';

const codeOf = (err: unknown): string => String((err as { code?: unknown } | null)?.code ?? '');

export function storeErrorKind(err: unknown): StoreErrorKind {
  const code = codeOf(err);
  // SQLite (better-sqlite3's SqliteError codes), PostgreSQL SQLSTATE, Node system errors.
  if (code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC') return 'full';
  if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT|READONLY)/.test(code)) return 'unavailable';
  // PostgreSQL classes 08 connection, 40 rollback (serialization, deadlock), 53 resources, 57 operator
  // intervention (shutdown), 58 system error; a client that lost its connection.
  if (/^(08|40|53|57|58)[0-9A-Z]{3}$/.test(code)) return 'unavailable';
  if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)$/.test(code)) return 'unavailable';
  const message = err instanceof Error ? err.message : String(err);
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|database is locked/i.test(message)) return 'unavailable';
  if (/database or disk is full/i.test(message)) return 'full';
  return 'refused';
}

/** A store error that a retry later can cure (full or unavailable), as opposed to a bug or a refused record. */
export function storeTrouble(err: unknown): 'full' | 'unavailable' | undefined {
  const kind = storeErrorKind(err);
  return kind === 'refused' ? undefined : kind;
}

/**
 * Says loudly, once, that the store is full or unavailable, instead of one buried stack trace per request;
 * again only after `quietMs` (default 10 minutes) while it lasts.
 */
export class StoreTroubleLog {
  private last = new Map<string, number>();

  constructor(
    /** What is done meanwhile, for the message: e.g. "ingest answers 503 with Retry-After". */
    private readonly meanwhile: string,
    private readonly quietMs = 10 * 60_000,
  ) {}

  report(log: { error(obj: object, msg: string): void }, kind: 'full' | 'unavailable', err: unknown, now = systemClock()): void {
    const last = this.last.get(kind);
    if (last !== undefined && now - last < this.quietMs) return;
    this.last.set(kind, now);
    const cause = (err as Error)?.message ?? String(err);
    if (kind === 'full') log.error({ cause }, `database or disk is full: nothing can be recorded until space is freed; ${this.meanwhile}`);
    else log.error({ cause }, `the database is unavailable: ${this.meanwhile} until it is back`);
  }
}
