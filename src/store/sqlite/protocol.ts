// Messages between the event loop and the SQLite thread (src/store/sqlite/worker.ts).

export interface WorkerOptions {
  file: string;
}

export interface Request {
  id: number;
  sql: string;
  params: readonly unknown[];
  /** A plain read outside any transaction: may go to the read-only connection. */
  read: boolean;
}

export interface Reply {
  id: number;
  rows?: Record<string, unknown>[];
  changes?: number;
  lastInsertRowid?: number;
  error?: { message: string; code?: string };
}
