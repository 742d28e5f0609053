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
//
// The transaction says it is that commit itself (`scope.bind(trx)`), on its own connection, instead of the driver
// finding the scope in an AsyncLocalStorage: on Node 20 a store in use turns on the async hooks for every promise
// the process makes (with one alert per POST, about a tenth of the CPU), for the sake of two transactions.
import type { DatabaseConnection, Kysely } from 'kysely';

export interface Durability {
  /** Resolves once this commit is on disk. */
  own: Promise<void>;
  /** Resolves once every commit made before this one is on disk. */
  earlier: Promise<void>;
}

const ON_DISK: Durability = { own: Promise.resolve(), earlier: Promise.resolve() };
const SCOPE = Symbol('durability scope');

/** Where the SQLite driver puts a bound transaction's durability at its commit, instead of waiting for the disk. */
export class DurabilityScope {
  durability?: Durability;

  /**
   * Called inside the transaction (`trx`): its commit is the one whose wait for the disk goes to the caller. Bound
   * to anything else, nothing is deferred and the commit waits for the disk as any other does.
   */
  async bind(trx: Kysely<any>): Promise<void> {
    await trx.getExecutor().provideConnection(async (connection) => {
      (connection as { [SCOPE]?: DurabilityScope })[SCOPE] = this;
    });
  }
}

/**
 * Runs `commit` (one transaction, which calls `scope.bind` with itself) so that it resolves as soon as the store
 * has committed it, without waiting for the disk; the caller awaits `durability.own` or `durability.earlier`
 * before it tells anyone.
 */
export async function committedFirst<T>(commit: (scope: DurabilityScope) => Promise<T>): Promise<{ result: T; durability: Durability }> {
  const scope = new DurabilityScope();
  const result = await commit(scope);
  return { result, durability: scope.durability ?? ON_DISK };
}

/**
 * For the SQLite driver, at a transaction's end: the scope it was bound to, if any, taken off the connection so a
 * later transaction on the same connection is never deferred by it. At a commit the driver hands the scope the
 * commit's durability instead of waiting for it; at a rollback it drops it.
 */
export function takeDeferredDurability(connection: DatabaseConnection): DurabilityScope | undefined {
  const c = connection as { [SCOPE]?: DurabilityScope };
  const scope = c[SCOPE];
  delete c[SCOPE];
  return scope;
}
