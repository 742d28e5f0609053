// The SQLite thread: plain reads outside transactions (the dashboard's, the API's, the workers' polls) run here on
// a read-only connection, so a long query never stalls the event loop; and the WAL is checkpointed here, so
// copying it into the database file (and that fsync) never happens inside a commit on the event loop. WAL lets
// both run beside the writer.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Connection } from './connection.js';
import { registerFunctions } from './functions.js';
import type { Control, Reply, Request, WorkerOptions } from './protocol.js';

const options = workerData as WorkerOptions;
let reader: Connection;
let checkpointer: SQLite.Database;
let ready: Reply;
try {
  const r = new SQLite(options.file, { readonly: true });
  r.pragma('busy_timeout = 5000');
  registerFunctions(r);
  reader = new Connection(r);
  checkpointer = new SQLite(options.file);
  checkpointer.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
  ready = { id: 0, rows: [] };
} catch (err) {
  ready = { id: 0, error: { message: (err as Error).message, code: (err as { code?: string }).code } };
}
parentPort!.postMessage(ready);

function run(req: Request): Reply {
  try {
    return { id: req.id, ...reader.run(req.sql, req.params) };
  } catch (err) {
    return { id: req.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } };
  }
}

parentPort!.on('message', (req: Request | Control) => {
  if (req === 'checkpoint') {
    try {
      checkpointer.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failed: the next one catches up (the WAL keeps every frame until then).
    }
    return;
  }
  if (req === 'close') {
    reader?.db.close();
    checkpointer?.close();
    parentPort!.postMessage({ id: -1, rows: [] } satisfies Reply);
    return;
  }
  parentPort!.postMessage(run(req));
});
