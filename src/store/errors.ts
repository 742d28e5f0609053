// What a store error means for the record being written, the same on SQLite and PostgreSQL: the disk is full
// (say so, retry later), the store is unreachable or busy (retry later, nothing is wrong with the record), or
// the store refuses this record's data (no retry can help: set the record aside and go on).

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

/** The loud, operator-facing words for a full disk (logged once per episode). */
export const DISK_FULL = 'database or disk is full';
