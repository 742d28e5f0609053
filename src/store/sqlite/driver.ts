// A Kysely dialect whose SQLite runs in its own thread (./worker.ts). The event loop only posts statements and
// awaits replies, so commits (fsync) and long queries no longer block HTTP and detection. A transaction holds the
// writer connection from BEGIN to COMMIT (other writes wait for it, as with any single-writer SQLite); plain reads
// outside a transaction go to the thread's read-only connection and see the last committed state.
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
import type { Reply, Request, WorkerOptions } from './protocol.js';

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

class SqliteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteError';
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

export class SqliteThreadDriver implements Driver {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  private nextId = 1;
  private readonly writer = new Mutex();
  private failed?: Error;
  /** Replies awaited (statements in flight, or the close): while any, the thread keeps the process alive. */
  private holds = 0;

  constructor(private readonly file: string) {}

  async init(): Promise<void> {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { file: this.file } satisfies WorkerOptions });
    this.worker = worker;
    const first = await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (first.error) {
      await worker.terminate();
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

  /** Posts one statement to the thread and resolves with its reply. */
  send(sql: string, params: readonly unknown[], read: boolean): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    const worker = this.worker;
    if (!worker) return Promise.reject(new SqliteError('SQLite database is closed'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.hold();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql, params, read } satisfies Request);
    }).then((reply) => {
      if (reply.error) throw new SqliteError(reply.error.message, reply.error.code);
      return reply;
    });
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
    try {
      await this.send('begin', [], false);
    } catch (err) {
      c.unlock();
      throw err;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ThreadConnection;
    try {
      await this.send('commit', [], false);
    } finally {
      c.unlock();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ThreadConnection;
    try {
      await this.send('rollback', [], false);
    } finally {
      c.unlock();
    }
  }

  // Savepoint names come from Kysely's callers in this code base, never from input.
  async savepoint(_c: DatabaseConnection, name: string): Promise<void> {
    await this.send(`savepoint "${name}"`, [], false);
  }
  async rollbackToSavepoint(_c: DatabaseConnection, name: string): Promise<void> {
    await this.send(`rollback to "${name}"`, [], false);
  }
  async releaseSavepoint(_c: DatabaseConnection, name: string): Promise<void> {
    await this.send(`release "${name}"`, [], false);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.hold(worker);
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.on('message', (r: Reply) => r.id === -1 && resolve());
      worker.once('exit', () => resolve());
      worker.postMessage('close');
    });
    await worker.terminate();
  }

  /** Runs a write outside any transaction, holding the writer for that one statement. */
  async lone(sql: string, params: readonly unknown[]): Promise<Reply> {
    const release = await this.writer.lock();
    try {
      return await this.send(sql, params, false);
    } finally {
      release();
    }
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
    let reply: Reply;
    if (this.release) reply = await this.driver.send(sql, parameters, false);
    else if (SelectQueryNode.is(query)) reply = await this.driver.send(sql, parameters, true);
    else reply = await this.driver.lone(sql, parameters);
    if (reply.changes === undefined) return { rows: (reply.rows ?? []) as R[] };
    return {
      rows: (reply.rows ?? []) as R[],
      numAffectedRows: BigInt(reply.changes),
      insertId: reply.lastInsertRowid !== undefined ? BigInt(reply.lastInsertRowid) : undefined,
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(compiled);
    for (const row of result.rows) yield { rows: [row] };
  }
}
