// Messages between the event loop and the SQLite thread (src/store/sqlite/worker.ts).

export interface WorkerOptions {
  file: string;
}

/** A plain read outside any transaction, for the thread's read-only connection. */
export interface Request {
  id: number;
  sql: string;
  params: readonly unknown[];
}

export interface Reply {
  id: number;
  rows?: Record<string, unknown>[];
  changes?: number;
  lastInsertRowid?: number;
  error?: { message: string; code?: string };
}

/** Control messages: checkpoint the WAL (PASSIVE: never waits for, nor blocks, the writer), or close. */
export type Control = 'checkpoint' | 'close';
