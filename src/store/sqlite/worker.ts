// The SQLite thread: owns the database file and runs every statement, so a commit's fsync and a long query
// never stall the event loop that serves HTTP and runs detection. Two connections: the writer, which holds every
// transaction, and (for a file) a read-only one for plain reads outside transactions, which WAL lets run
// between the writer's statements. Prepared statements are kept per connection and reused.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { registerFunctions } from './functions.js';
import type { Reply, Request, WorkerOptions } from './protocol.js';

/** Distinct statements kept prepared per connection; the least recently used goes first. */
const STATEMENT_CACHE = 500;

class Connection {
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
}

const STEPWISE = /^\s*pragma\s+incremental_vacuum\b/i;

const options = workerData as WorkerOptions;
let writer: Connection;
let reader: Connection;
let ready: Reply;
try {
  const w = new SQLite(options.file);
  // A new file reclaims the pages retention frees (PRAGMA incremental_vacuum); this must come before anything
  // is written to it, even the switch to WAL.
  // 16 KB pages hold six or seven 2 KB alerts each, where 4 KB pages hold one (README "Storage and retention").
  if ((w.prepare('select count(*) as n from sqlite_master').get() as { n: number }).n === 0) {
    w.pragma('page_size = 16384');
    w.pragma('auto_vacuum = INCREMENTAL');
  }
  w.pragma('journal_mode = WAL');
  // FULL: a committed batch survives a power cut, which is what "acknowledged only after it is recorded" promises.
  w.pragma('synchronous = FULL');
  w.pragma('busy_timeout = 5000');
  w.pragma('foreign_keys = ON');
  // After a checkpoint the WAL is cut back to this size, so a burst does not leave a large file behind.
  w.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
  registerFunctions(w);
  writer = new Connection(w);
  if (options.file === ':memory:' || options.file === '') reader = writer;
  else {
    const r = new SQLite(options.file, { readonly: true });
    r.pragma('busy_timeout = 5000');
    registerFunctions(r);
    reader = new Connection(r);
  }
  ready = { id: 0, rows: [] };
} catch (err) {
  ready = { id: 0, error: { message: (err as Error).message, code: (err as { code?: string }).code } };
}
parentPort!.postMessage(ready);

function run(req: Request): Reply {
  const conn = req.read ? reader : writer;
  try {
    const params = req.params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
    // A statement that does its work step by step (incremental_vacuum frees one page per step) runs to its end.
    if (STEPWISE.test(req.sql)) {
      conn.db.exec(req.sql);
      return { id: req.id, rows: [], changes: 0 };
    }
    const stmt = conn.statement(req.sql);
    if (stmt.reader) return { id: req.id, rows: stmt.all(params) as Record<string, unknown>[] };
    const { changes, lastInsertRowid } = stmt.run(params);
    return { id: req.id, rows: [], changes, lastInsertRowid: Number(lastInsertRowid) };
  } catch (err) {
    return { id: req.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } };
  }
}

parentPort!.on('message', (req: Request | 'close') => {
  if (req === 'close') {
    if (reader !== writer) reader?.db.close();
    writer?.db.close();
    parentPort!.postMessage({ id: -1, rows: [] } satisfies Reply);
    return;
  }
  parentPort!.postMessage(run(req));
});
