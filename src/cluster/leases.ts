// Named leases in the store: "this name belongs to that node until then". The one module that owns the `leases`
// table (migration 1510). Each statement is atomic on its own (INSERT … ON CONFLICT … WHERE, UPDATE … WHERE), so
// nodes racing for a name need no lock of their own: exactly one of them comes back holding it.
//
// Times: on PostgreSQL the expiry is reckoned by the database's clock (statement_timestamp()), the one clock every
// node shares, so clock skew between nodes never lets two of them believe they hold a name. On SQLite (one node,
// one process) the injected clock is the only one, and an acquire always succeeds: it takes the name over from
// whatever an earlier run of the same node left behind, so a restart never waits out its own lease.
//
// Fencing: `token` grows by one each time the lease passes to a new holder (or is taken again after it lapsed). A
// holder that was paused past its expiry and wakes up still carries the old token; work that must not be done by
// a former holder checks `holds()` (or compares tokens) before it commits.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { Poller } from '../poller.js';
import { newHolderId } from '../node-id.js';
import { isPostgres } from '../store/migrations/util.js';
import type { Database } from '../store/schema.js';

export interface Lease {
  name: string;
  holder: string;
  /** Fencing token: larger for each new holder. */
  token: number;
  /** When this holder took it (store time, epoch ms). */
  acquiredAt: number;
  /** When it lapses unless renewed (store time, epoch ms). */
  expiresAt: number;
  /**
   * The local (injected-clock) time until which this node may act as holder: when the request was sent plus the
   * ttl, so it is never later than the store's expiry however slow the round trip was.
   */
  validUntil: number;
}

/** A lease row as `list()` shows it (cluster status): any holder's. */
export type LeaseRow = Omit<Lease, 'validUntil'> & { expired: boolean };

export class Leases {
  private readonly postgres: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    /** This node's holder id (see newHolderId). */
    readonly holder: string = newHolderId(),
    private readonly clock: Clock = systemClock,
  ) {
    this.postgres = isPostgres(db);
  }

  /** The store's "now" in epoch ms, as an SQL expression. */
  private now(): RawBuilder<number> {
    return this.postgres ? sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint` : sql<number>`${this.clock()}`;
  }

  /**
   * Takes `name` for `ttl` ms when it is free, lapsed, or already this holder's (then it is extended, same token).
   * Returns the lease, or undefined when another holder has it.
   */
  async acquire(name: string, ttl: number): Promise<Lease | undefined> {
    const sent = this.clock();
    const now = this.now();
    // Still this holder's and not lapsed: keep the token and the time it was taken; otherwise a new holding.
    const continuing = sql<boolean>`leases.holder = excluded.holder and leases.expires_at > ${now}`;
    const row = await this.db
      .insertInto('leases')
      .values({ name, holder: this.holder, token: 1, acquired_at: now, expires_at: sql<number>`${now} + ${ttl}` })
      .onConflict((oc) => {
        const update = oc.column('name').doUpdateSet({
          token: sql<number>`case when ${continuing} then leases.token else leases.token + 1 end`,
          acquired_at: sql<number>`case when ${continuing} then leases.acquired_at else excluded.acquired_at end`,
          holder: sql<string>`excluded.holder`,
          expires_at: sql<number>`excluded.expires_at`,
        });
        // SQLite: one node, so the name is always this node's (an earlier run's lease is taken over at once).
        return this.postgres ? update.where(sql<boolean>`leases.expires_at <= ${now} or leases.holder = excluded.holder`) : update;
      })
      .returningAll()
      .executeTakeFirst();
    return row ? toLease(row, sent + ttl) : undefined;
  }

  /** Extends a lease this holder still has (same token, not lapsed); undefined when it was lost. */
  async renew(lease: Pick<Lease, 'name' | 'token'>, ttl: number): Promise<Lease | undefined> {
    const sent = this.clock();
    const now = this.now();
    const row = await this.db
      .updateTable('leases')
      .set({ expires_at: sql<number>`${now} + ${ttl}` })
      .where('name', '=', lease.name)
      .where('holder', '=', this.holder)
      .where('token', '=', lease.token)
      .where(this.postgres ? sql<boolean>`expires_at > ${now}` : sql<boolean>`1 = 1`)
      .returningAll()
      .executeTakeFirst();
    return row ? toLease(row, sent + ttl) : undefined;
  }

  /** Gives a lease up at once (it lapses now; the row stays so the next holder's token is larger). */
  async release(lease: Pick<Lease, 'name' | 'token'>): Promise<boolean> {
    const now = this.now();
    const r = await this.db
      .updateTable('leases')
      .set({ expires_at: now })
      .where('name', '=', lease.name)
      .where('holder', '=', this.holder)
      .where('token', '=', lease.token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** True while this holder still has the lease with this token (checked in the store: the fencing check). */
  async holds(lease: Pick<Lease, 'name' | 'token'>): Promise<boolean> {
    const row = await this.db
      .selectFrom('leases')
      .select('name')
      .where('name', '=', lease.name)
      .where('holder', '=', this.holder)
      .where('token', '=', lease.token)
      .where(sql<boolean>`expires_at > ${this.now()}`)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Every lease whose name starts with `prefix` (all when none), lapsed ones marked. */
  async list(prefix = ''): Promise<LeaseRow[]> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('leases')
      .selectAll()
      .select(sql<number>`${now}`.as('now'))
      .where(sql<boolean>`substr(name, 1, ${prefix.length}) = ${prefix}`)
      .orderBy('name')
      .execute();
    return rows.map((r) => {
      const { validUntil: _, ...rest } = toLease(r, 0);
      return { ...rest, expired: Number(r.expires_at) <= Number(r.now) };
    });
  }
}

function toLease(r: { name: string; holder: string; token: number; acquired_at: number; expires_at: number }, validUntil: number): Lease {
  return { name: r.name, holder: r.holder, token: Number(r.token), acquiredAt: Number(r.acquired_at), expiresAt: Number(r.expires_at), validUntil };
}

export interface LeaderOptions {
  /** How long a holding lasts unless renewed (ms). A dead leader is replaced within about this long. */
  ttl: number;
  /** How often the lease is renewed, or sought while another node has it (ms); default ttl / 3. */
  renewEvery?: number;
  log?: Logger;
}

/**
 * Leader election on one named lease: every node runs one; the one holding the lease is the leader and renews it
 * every `renewEvery`; the others try to take it at the same pace, and one of them does once the leader stops
 * renewing (crash, partition, shutdown: stop() releases it at once). Work guarded by `isLeader()` runs on at most
 * one node at a time, as long as a pass is shorter than the ttl (a pass can also check `stillLeader()` in the
 * store before it commits).
 */
export class LeaderElection {
  private current?: Lease;
  private readonly poller: Poller;
  private readonly renewEvery: number;

  constructor(
    private readonly leases: Leases,
    readonly name: string,
    private readonly options: LeaderOptions,
    private readonly clock: Clock = systemClock,
  ) {
    this.renewEvery = options.renewEvery ?? Math.max(1, Math.floor(options.ttl / 3));
    this.poller = new Poller(() => this.tick(), {
      every: this.renewEvery,
      unref: true,
      onError: (err) => options.log?.warn({ err, lease: name }, 'leader lease could not be renewed; trying again'),
    });
  }

  /** Tries once at once (so a single node leads from its first moment), then keeps renewing or seeking. */
  async start(): Promise<void> {
    await this.tick().catch((err) => this.options.log?.warn({ err, lease: this.name }, 'leader lease could not be taken; trying again'));
    this.poller.start();
  }

  /** This node leads now (it holds the lease and the local validity has not run out). */
  isLeader(): boolean {
    return this.current !== undefined && this.clock() < this.current.validUntil;
  }

  /** The lease while this node leads (its fencing token), else undefined. */
  get lease(): Lease | undefined {
    return this.isLeader() ? this.current : undefined;
  }

  /** Checks in the store that this node still leads (the fencing check before committing a pass). */
  async stillLeader(): Promise<boolean> {
    const lease = this.lease;
    return lease !== undefined && (await this.leases.holds(lease));
  }

  /** One renewal or attempt (the poller runs it every renewEvery; tests call it directly). */
  async tick(): Promise<boolean> {
    const was = this.isLeader();
    let next: Lease | undefined;
    try {
      next = this.current ? ((await this.leases.renew(this.current, this.options.ttl)) ?? (await this.leases.acquire(this.name, this.options.ttl))) : await this.leases.acquire(this.name, this.options.ttl);
    } catch (err) {
      // The store is unreachable: keep the local validity (it runs out on its own), try again at the next tick.
      if (this.current && !this.isLeader()) this.current = undefined;
      throw err;
    }
    this.current = next;
    const now = this.isLeader();
    if (now !== was) this.options.log?.info({ lease: this.name, holder: this.leases.holder, token: next?.token }, now ? 'this node now leads' : 'this node no longer leads');
    return now;
  }

  /** Stops renewing and gives the lease up, so another node leads at once. */
  async stop(): Promise<void> {
    await this.poller.stop();
    const lease = this.current;
    this.current = undefined;
    if (lease) await this.leases.release(lease).catch(() => {});
  }
}
