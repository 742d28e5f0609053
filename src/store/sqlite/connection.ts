// One SQLite connection with its prepared statements, and how the store's file is opened: shared by the event
// loop's writer (./driver.ts) and the thread's reader (./worker.ts).
import SQLite from 'better-sqlite3';
import { registerFunctions } from './functions.js';

/** Distinct statements kept prepared per connection; the least recently used goes first. */
const STATEMENT_CACHE = 500;

/** What one statement gave: rows for a reader, changes for a writer. */
export interface Outcome {
  rows: Record<string, unknown>[];
  changes?: number;
  lastInsertRowid?: number;
}

const STEPWISE = /^\s*pragma\s+incremental_vacuum\b/i;

export class Connection {
  private readonly statements = new Map<string, SQLite.Statement>();
  constructor(readonly db: SQLite.Database) {}

  statement(sql: string): SQLite.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      // Re-inserted: Map order is recency order.
      this.statements.delete(sql);
      this.statements.set(sql, stmt);
      return stmt;
    }
    stmt = this.db.prepare(sql);
    this.statements.set(sql, stmt);
    if (this.statements.size > STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
    return stmt;
  }

  /** Runs one statement; throws better-sqlite3's error (with its SQLITE_* code). */
  run(sql: string, params: readonly unknown[]): Outcome {
    const values = params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
    // A statement that does its work step by step (incremental_vacuum frees one page per step) runs to its end.
    if (STEPWISE.test(sql)) {
      this.db.exec(sql);
      return { rows: [], changes: 0 };
    }
    const stmt = this.statement(sql);
    if (stmt.reader) return { rows: stmt.all(values) as Record<string, unknown>[] };
    const { changes, lastInsertRowid } = stmt.run(values);
    return { rows: [], changes, lastInsertRowid: Number(lastInsertRowid) };
  }
}

export const inMemory = (file: string) => file === ':memory:' || file === '';

/**
 * Opens the store's file for writing. WAL; commits do not wait for the disk here (synchronous NORMAL): the
 * driver makes each commit durable with an fsync of the WAL off the event loop before anyone is told, which is
 * what synchronous FULL would do inside the commit. Checkpoints run in the thread, not in a commit.
 */
export function openWriter(file: string): Connection {
  const w = new SQLite(file);
  try {
    // A new file reclaims the pages retention frees (PRAGMA incremental_vacuum); this must come before anything
    // is written to it, even the switch to WAL.
    // 16 KB pages hold six or seven 2 KB alerts each, where 4 KB pages hold one (README "Storage and retention").
    if ((w.prepare('select count(*) as n from sqlite_master').get() as { n: number }).n === 0) {
      w.pragma('page_size = 16384');
      w.pragma('auto_vacuum = INCREMENTAL');
    }
    w.pragma('journal_mode = WAL');
    w.pragma(inMemory(file) ? 'synchronous = OFF' : 'synchronous = NORMAL');
    w.pragma('wal_autocheckpoint = 0');
    w.pragma('busy_timeout = 5000');
    w.pragma('foreign_keys = ON');
    // After a checkpoint the WAL is cut back to this size, so a burst does not leave a large file behind.
    w.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
    // Statement journals (a multi-row insert inside a transaction opens one) in memory: on disk each was a temp
    // file opened, written page by page and unlinked, per statement, about half the writes of a small ingest
    // commit. They hold the pages one statement changes, which a transaction of this store keeps small.
    w.pragma('temp_store = MEMORY');
    registerFunctions(w);
    return new Connection(w);
  } catch (err) {
    w.close();
    throw err;
  }
}
