// When a commit's caller waits for the disk. On SQLite every commit returns only once an fsync of the WAL has made
// it durable (src/store/sqlite/driver.ts), so a path from an alert to its mail is counted in fsyncs, one per commit
// along it. Two commits on that path need the disk later, not at once:
// - intake: the pipeline may take alerts the moment they are committed; only the sender's acknowledgement must
//   wait for the disk. Whatever the pipeline then commits comes after them in the WAL, so its own fsync covers
//   them too, and nothing is notified of them before they are durable.
// - the outbox's claim: on SQLite a row left `running` is made due again at every start, so the claim itself need
//   never reach the disk; what the send needs on disk is everything committed before the claim (the incident and
//   its outbox row).
// Such a commit runs inside `committedFirst`, which gives back, beside the result, a promise for the commit's own
// durability and one for the commits before it. PostgreSQL commits are durable when they return: both resolve at
// once there.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Durability {
  /** Resolves once this commit is on disk. */
  own: Promise<void>;
  /** Resolves once every commit made before this one is on disk. */
  earlier: Promise<void>;
}

const ON_DISK: Durability = { own: Promise.resolve(), earlier: Promise.resolve() };
const scope = new AsyncLocalStorage<{ durability?: Durability }>();

/**
 * Runs `commit` (one transaction) so that it resolves as soon as the store has committed it, without waiting for
 * the disk; the caller awaits `durability.own` or `durability.earlier` before it tells anyone.
 */
export async function committedFirst<T>(commit: () => Promise<T>): Promise<{ result: T; durability: Durability }> {
  const s: { durability?: Durability } = {};
  const result = await scope.run(s, commit);
  return { result, durability: s.durability ?? ON_DISK };
}

/**
 * For the SQLite driver, at a commit: the scope of a `committedFirst` it runs in, if any. The driver hands it the
 * commit's durability instead of waiting for it.
 */
export function deferredDurability(): { durability?: Durability } | undefined {
  return scope.getStore();
}
