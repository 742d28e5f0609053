// A Kysely dialect for SQLite that keeps the disk off the event loop. Writes run on the event loop's own
// connection (better-sqlite3: microseconds per statement, no message round trip, so a transaction of fifteen
// statements costs what fifteen statements cost); a commit does not wait for the disk inside SQLite
// (synchronous NORMAL) but is made durable by an fsync of the WAL in libuv's thread pool before the commit
// resolves, so nobody is told "recorded" before it would survive a power cut (what synchronous FULL gives), and
// commits that land while one fsync runs share the next. Plain reads outside a transaction go to a read-only
// connection in a thread of their own (./worker.ts), so a long query never stalls HTTP and detection; that
// thread also checkpoints the WAL. A transaction holds the writer from BEGIN to COMMIT; other writes wait for it.
import { systemClock } from '../../clock.js';
import { VigilError } from '../../errors.js';
import { closeSync, fsync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { takeDeferredDurability } from '../durability.js';
import { Connection, inMemory, openWriter, type Outcome } from './connection.js';
import type { Control, Reply, Request, WorkerOptions } from './protocol.js';

export class SqliteThreadDialect implements Dialect {
  readonly driver: SqliteThreadDriver;
  constructor(file: string) {
    this.driver = new SqliteThreadDriver(file);
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return this.driver;
  }
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
}

/** An error of the SQLite thread or its files; `code` is SQLite's (`SQLITE_FULL`, `SQLITE_BUSY` …) or the system's. */
export class SqliteError extends VigilError<string | undefined> {
  constructor(message: string, code?: string) {
    super(code, message);
  }
}

/** Serialises use of the writer connection: one transaction (or one lone write) at a time. */
class Mutex {
  private tail = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

/** At most one checkpoint request to the thread per this many ms while commits come. */
const CHECKPOINT_EVERY_MS = 1000;
/** A transaction's statements run back to back for at most this long before the event loop gets a turn. */
const SLICE_MS = 8;

export class SqliteThreadDriver implements Driver {
  private worker?: Worker;
  private writerConn?: Connection;
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  private nextId = 1;
  private readonly writer = new Mutex();
  private failed?: Error;
  /** Replies awaited (statements in flight, or the close): while any, the thread keeps the process alive. */
  private holds = 0;
  private walFd?: number;
  private syncing?: Promise<void>;
  private syncAgain?: Promise<void>;
  /** Commits made on the writer; of those, how many are known to be on disk, and how many the fsync in flight covers. */
  private commits = 0;
  private onDisk = 0;
  private syncingCovers = 0;
  private lastCheckpoint = 0;
  private checkpointTimer?: NodeJS.Timeout;
  /** When the event loop last had a turn during a transaction's statements. */
  private sliceStart = 0;

  constructor(private readonly file: string) {}

  async init(): Promise<void> {
    try {
      this.writerConn = openWriter(this.file);
    } catch (err) {
      throw new SqliteError(`cannot open SQLite database ${this.file}: ${(err as Error).message}`, (err as { code?: string }).code);
    }
    if (inMemory(this.file)) return;
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { file: this.file } satisfies WorkerOptions });
    this.worker = worker;
    const first = await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (first.error) {
      await worker.terminate();
      this.writerConn.db.close();
      throw new SqliteError(`cannot open SQLite database ${this.file}: ${first.error.message}`, first.error.code);
    }
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      this.unhold();
      p.resolve(reply);
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.holds = 0;
    };
    worker.on('error', (err) => fail(new SqliteError(`SQLite thread failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new SqliteError(`SQLite thread exited (${code})`)));
    // Idle, the thread does not keep the process alive; a statement in flight does.
    worker.unref();
  }

  /** Posts one read to the thread and resolves with its reply (in memory: runs it here). */
  private read(sql: string, params: readonly unknown[]): Promise<Outcome> {
    if (this.failed) return Promise.reject(this.failed);
    const worker = this.worker;
    if (!worker) return Promise.resolve().then(() => this.write(sql, params));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.hold();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql, params } satisfies Request);
    }).then((reply) => {
      if (reply.error) throw new SqliteError(reply.error.message, reply.error.code);
      return { rows: reply.rows ?? [], changes: reply.changes, lastInsertRowid: reply.lastInsertRowid };
    });
  }

  /**
   * Inside a transaction: runs the statement at once, unless statements have run back to back for a slice, when
   * the event loop gets a turn first (a 20,000-alert commit never holds HTTP for its whole length).
   */
  async inTransaction(sql: string, params: readonly unknown[]): Promise<Outcome> {
    const now = performance.now();
    if (now - this.sliceStart > SLICE_MS) {
      await new Promise<void>((r) => setImmediate(r));
      this.sliceStart = performance.now();
    }
    return this.write(sql, params);
  }

  /** Runs one statement on the writer, here and now. */
  write(sql: string, params: readonly unknown[]): Outcome {
    const conn = this.writerConn;
    if (!conn) throw new SqliteError('SQLite database is closed');
    try {
      return conn.run(sql, params);
    } catch (err) {
      throw new SqliteError((err as Error).message, (err as { code?: string }).code);
    }
  }

  /**
   * Resolves once everything committed so far is on disk: one fsync of the WAL in the thread pool, shared by
   * every commit that landed before it started; a commit that lands while one runs waits for the next.
   */
  private durable(): Promise<void> {
    if (inMemory(this.file)) return Promise.resolve();
    this.checkpointSoon();
    if (!this.syncing) {
      const covers = this.commits;
      this.syncingCovers = covers;
      this.syncing = this.fsyncWal()
        .then(() => void (this.onDisk = Math.max(this.onDisk, covers)))
        .finally(() => (this.syncing = undefined));
      return this.syncing;
    }
    this.syncAgain ??= this.syncing.then(
      () => {
        this.syncAgain = undefined;
        return this.durable();
      },
      () => {
        this.syncAgain = undefined;
        return this.durable();
      },
    );
    return this.syncAgain;
  }

  /** Resolves once the first `n` commits are on disk (waiting for an fsync only when one still has to run). */
  private durableThrough(n: number): Promise<void> {
    if (n <= this.onDisk || inMemory(this.file)) return Promise.resolve();
    if (this.syncing && this.syncingCovers >= n) return this.syncing;
    return this.durable();
  }

  private fsyncWal(): Promise<void> {
    if (this.walFd === undefined) {
      try {
        this.walFd = openSync(`${this.file}-wal`, 'r');
        // The WAL's name in its folder must survive too (once: it stays while the store is open).
        const dir = openSync(dirname(this.file), 'r');
        return new Promise<void>((resolve, reject) => fsync(dir, (err) => (closeSync(dir), err ? reject(err) : resolve()))).then(() => this.fsyncWal());
      } catch (err) {
        return Promise.reject(new SqliteError(`cannot open the WAL of ${this.file}: ${(err as Error).message}`, (err as { code?: string }).code));
      }
    }
    const fd = this.walFd;
    this.hold();
    return new Promise<void>((resolve, reject) =>
      fsync(fd, (err) => {
        this.unhold();
        if (err) reject(new SqliteError(`fsync of the WAL failed: ${err.message}`, err.code));
        else resolve();
      }),
    );
  }

  /** Asks the thread to copy the WAL into the database file, at most once a second while commits come. */
  private checkpointSoon(): void {
    if (!this.worker || this.checkpointTimer) return;
    const due = this.lastCheckpoint + CHECKPOINT_EVERY_MS - systemClock(); // real time: it paces a setTimeout
    const go = () => {
      this.checkpointTimer = undefined;
      this.lastCheckpoint = systemClock();
      this.worker?.postMessage('checkpoint' satisfies Control);
    };
    if (due <= 0) go();
    else {
      this.checkpointTimer = setTimeout(go, due);
      this.checkpointTimer.unref();
    }
  }

  private hold(worker = this.worker): void {
    if (this.holds++ === 0) worker?.ref();
  }

  private unhold(): void {
    if (this.holds > 0 && --this.holds === 0) this.worker?.unref();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new ThreadConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ThreadConnection;
    c.release = await this.writer.lock();
    this.sliceStart = performance.now();
    try {
      this.write('begin', []);
    } catch (err) {
      c.unlock();
      throw err;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ThreadConnection;
    try {
      this.write('commit', []);
    } finally {
      c.unlock();
    }
    const n = ++this.commits;
    // Inside committedFirst (../durability.ts): the caller waits for the disk when it needs to, not here.
    const deferred = takeDeferredDurability(connection);
    if (deferred && !deferred.durability) {
      const durability = { own: this.durableThrough(n), earlier: this.durableThrough(n - 1) };
      // Awaited by the caller when it needs them; a failure it does not await is not an unhandled rejection.
      durability.own.catch(() => {});
      durability.earlier.catch(() => {});
      deferred.durability = durability;
      return;
    }
    await this.durableThrough(n);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ThreadConnection;
    takeDeferredDurability(connection);
    try {
      // Kysely rolls back when the commit throws; when what threw came after COMMIT (its fsync failed) there is
      // nothing left to roll back, and the caller is to see that error, not SQLite's "no transaction is active".
      if (this.writerConn?.db.inTransaction === false) return;
      this.write('rollback', []);
    } finally {
      c.unlock();
    }
  }

  // Savepoint names come from Kysely's callers in this code base, never from input.
  async savepoint(_c: DatabaseConnection, name: string): Promise<void> {
    this.write(`savepoint "${name}"`, []);
  }
  async rollbackToSavepoint(_c: DatabaseConnection, name: string): Promise<void> {
    this.write(`rollback to "${name}"`, []);
  }
  async releaseSavepoint(_c: DatabaseConnection, name: string): Promise<void> {
    this.write(`release "${name}"`, []);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    // Whatever is being made durable finishes first.
    await this.syncAgain?.catch(() => {});
    await this.syncing?.catch(() => {});
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      this.hold(worker);
      await new Promise<void>((resolve) => {
        worker.on('message', (r: Reply) => r.id === -1 && resolve());
        worker.once('exit', () => resolve());
        worker.postMessage('close' satisfies Control);
      });
      await worker.terminate();
    }
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    // The last connection to close checkpoints the WAL and removes it.
    this.writerConn?.db.close();
    this.writerConn = undefined;
  }

  /** A plain read outside any transaction: the thread's read-only connection. */
  select(sql: string, params: readonly unknown[]): Promise<Outcome> {
    return this.read(sql, params);
  }

  /** Runs a write outside any transaction (autocommit), holding the writer for that one statement. */
  async lone(sql: string, params: readonly unknown[]): Promise<Outcome> {
    const release = await this.writer.lock();
    let out: Outcome;
    try {
      out = this.write(sql, params);
    } finally {
      release();
    }
    await this.durableThrough(++this.commits);
    return out;
  }
}

class ThreadConnection implements DatabaseConnection {
  /** Set while this connection holds a transaction. */
  release?: () => void;
  constructor(private readonly driver: SqliteThreadDriver) {}

  unlock(): void {
    const r = this.release;
    this.release = undefined;
    r?.();
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters, query } = compiled;
    let out: Outcome;
    if (this.release) out = await this.driver.inTransaction(sql, parameters);
    else if (SelectQueryNode.is(query)) out = await this.driver.select(sql, parameters);
    else out = await this.driver.lone(sql, parameters);
    if (out.changes === undefined) return { rows: out.rows as R[] };
    return {
      rows: out.rows as R[],
      numAffectedRows: BigInt(out.changes),
      insertId: out.lastInsertRowid !== undefined ? BigInt(out.lastInsertRowid) : undefined,
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(compiled);
    for (const row of result.rows) yield { rows: [row] };
  }
}
