// The durable outbox. An action is a row before it runs; the worker claims due rows, runs the channel and
// records the result, retrying with exponential backoff and jitter until delivered or dead-lettered. A circuit
// breaker per channel keeps a channel that is down from burning its actions' attempts.
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { audit } from '../store/audit.js';
import { committedFirst, type DurabilityScope } from '../store/durability.js';
import type { Database } from '../store/schema.js';
import { Breaker } from './breaker.js';
import { PermanentError, RefusedError, type Channel, type ExternalRef, type OutboxItem } from './channel.js';
import { Poller } from '../poller.js';
import { systemClock, type Clock } from '../clock.js';
import { getRef, saveRef } from './refs.js';
import { idempotencyKey, parseIdempotencyKey } from './idempotency.js';
import { newHolderId } from '../node-id.js';
import { isPostgres } from '../store/migrations/util.js';
import type { OutboxPayload } from './payload.js';
import type { Action, ActionState } from '../model/index.js';

export interface EnqueueInput {
  channel: string;
  incidentId: string;
  revision: number;
  payload: OutboxPayload;
  /** Run no earlier than this (epoch ms): e.g. an email waiting for enrichment, or an unblock at expiry. */
  notBefore?: number;
  /** Overrides the (incident, channel, revision) key for actions that are not per revision (an unblock). */
  key?: string;
}

/** What an incident's actions look like in the outbox, newest first: for deciding whether people were told. */
export interface OutboxRowOfIncident {
  channel: string;
  state: string;
  attempts: number;
  /** Its revision, for per-revision keys; 0 for keys of their own (blocks, unblocks). */
  revision: number;
  payload: OutboxPayload;
}

export async function actionsOfIncident(db: Kysely<Database>, incidentId: string): Promise<OutboxRowOfIncident[]> {
  const rows = await db.selectFrom('outbox').selectAll().where('incident_id', '=', incidentId).orderBy('id', 'desc').execute();
  return rows.map((r) => ({
    channel: r.channel,
    state: r.state,
    attempts: Number(r.attempts),
    revision: parseIdempotencyKey(r.idempotency_key)?.revision ?? 0,
    payload: JSON.parse(r.payload_json) as OutboxPayload,
  }));
}

/** Whether an action of the incident still waits for its first attempt (e.g. for enrichment). */
export async function hasWaiting(db: Kysely<Database>, incidentId: string): Promise<boolean> {
  // A running action counts: it is rendered from the incident as it is at its attempt, so a summary that landed
  // between the claim and the rendering would go into the first message and the update would repeat it.
  const row = await db.selectFrom('outbox').select('id').where('incident_id', '=', incidentId).where('state', 'in', ['pending', 'running']).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Actions by channel and state, for /metrics. */
export async function outboxDepth(db: Kysely<Database>): Promise<{ channel: string; state: string; n: number }[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['channel', 'state'])
    .execute();
  return rows.map((r) => ({ channel: r.channel, state: r.state, n: Number(r.n) }));
}

/** Deliveries after `since` (oldest first, at most `limit`), for the notification latency histogram. */
export async function deliveredSince(db: Kysely<Database>, since: number, limit = 1000): Promise<{ channel: string; payload: OutboxPayload; deliveredAt: number }[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['channel', 'payload_json', 'delivered_at'])
    .where('state', '=', 'delivered')
    .where('delivered_at', '>', since)
    .orderBy('delivered_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ channel: r.channel, payload: JSON.parse(r.payload_json) as OutboxPayload, deliveredAt: Number(r.delivered_at) }));
}

/** An action as the dashboard lists it: its delivery state, without its payload. */
export interface ActionRow extends Omit<Action, 'payload'> {
  deliveredAt?: number;
}

/** Actions newest first, by incident, state and channel. */
export async function listOutbox(db: Kysely<Database>, q: { incidentId?: string; state?: ActionState; channel?: string; limit: number }): Promise<ActionRow[]> {
  let query = db
    .selectFrom('outbox')
    .select(['id', 'idempotency_key', 'channel', 'incident_id', 'state', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'updated_at', 'delivered_at']);
  if (q.incidentId) query = query.where('incident_id', '=', q.incidentId);
  if (q.state) query = query.where('state', '=', q.state);
  if (q.channel) query = query.where('channel', '=', q.channel);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    idempotencyKey: r.idempotency_key,
    channel: r.channel,
    incidentId: r.incident_id,
    state: r.state as ActionState,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error ?? undefined,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deliveredAt: r.delivered_at === null ? undefined : Number(r.delivered_at),
  }));
}

export async function outboxEntry(db: Kysely<Database>, id: number): Promise<{ state: string; incidentId: string; channel: string } | undefined> {
  const row = await db.selectFrom('outbox').select(['state', 'incident_id', 'channel']).where('id', '=', id).executeTakeFirst();
  return row ? { state: row.state, incidentId: row.incident_id, channel: row.channel } : undefined;
}

/** Puts a dead or failed action back in the queue with fresh attempts, due `now`; false if it is in another state. */
export async function requeue(db: Kysely<Database>, id: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['dead', 'failed'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Adds an action inside the caller's transaction. The same key is added once; returns whether it was new. */
export async function enqueue(trx: Kysely<Database>, input: EnqueueInput, now = systemClock()): Promise<boolean> {
  const res = await trx
    .insertInto('outbox')
    .values({
      idempotency_key: input.key ?? idempotencyKey(input.incidentId, input.channel, input.revision),
      channel: input.channel,
      incident_id: input.incidentId,
      state: 'pending',
      attempts: 0,
      next_attempt_at: input.notBefore ?? now,
      last_error: null,
      payload_json: JSON.stringify(input.payload),
      created_at: now,
      updated_at: now,
      delivered_at: null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Makes a waiting action due now (an early wake-up: enrichment arrived, an analyst unblocked by hand). */
export async function expedite(db: Kysely<Database>, key: string, now = systemClock()): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set({ next_attempt_at: now, updated_at: now })
    .where('idempotency_key', '=', key)
    .where('state', 'in', ['pending', 'failed'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Makes an incident's waiting actions due now (e.g. its enrichment arrived before the deadline). */
export async function releaseWaiting(db: Kysely<Database>, incidentIds: string[], now = systemClock()): Promise<number> {
  if (incidentIds.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set({ next_attempt_at: now })
    .where('incident_id', 'in', incidentIds)
    .where('state', '=', 'pending')
    .where('attempts', '=', 0)
    .where('next_attempt_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface OutboxOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  pollMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** How long a claim holds before another node may take the action over. */
  claimTimeoutMs: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = {
  maxAttempts: 12,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  pollMs: 1_000,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
  claimTimeoutMs: 5 * 60_000,
};

export function backoff(attempt: number, o: Pick<OutboxOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter": never less than half the step
}

export interface OutboxHooks {
  /** Runs after a channel's send returned and before the result is recorded (tests inject a crash here). */
  afterSend?(item: OutboxItem): Promise<void>;
  /** Runs after an action's outcome is recorded. */
  onOutcome?(item: OutboxItem, outcome: 'delivered' | 'failed' | 'dead' | 'refused'): void;
  /**
   * Completes a payload just before its first attempt (e.g. with the enrichment that arrived meanwhile), reading
   * and writing through `db`: the transaction that claims the action. The result is stored with the attempt's
   * outcome, so a retry sends exactly what the first attempt sent.
   */
  prepare?(item: OutboxItem, db: Kysely<Database>): Promise<OutboxPayload>;
  clock?: Clock;
  /** This node's id, recorded on the rows it claims (default: host, pid and a random suffix). */
  holder?: string;
}

/** The actions one lane runs: one channel's, or those of every channel not configured here (`except`). */
interface Lane {
  channel?: string;
  except?: string[];
}

export class OutboxWorker {
  private readonly breakers = new Map<string, Breaker>();
  private readonly poller: Poller;
  private readonly clock: Clock;
  /** Who claims: this node (written to claimed_by). */
  private readonly holder: string;
  private readonly postgres: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly channels: Map<string, Channel<OutboxPayload>>,
    private readonly log: Logger,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX,
    private readonly hooks: OutboxHooks = {},
  ) {
    this.clock = hooks.clock ?? systemClock;
    this.holder = hooks.holder ?? newHolderId();
    this.postgres = isPostgres(db);
    this.poller = new Poller(() => this.pass(), { every: () => this.untilNextDue(), onError: (err) => log.error({ err }, 'outbox pass failed') });
  }

  /**
   * At start, rows left `running` by a crash are due again (the channel's idempotency key keeps a resend harmless
   * where the remote checks it). SQLite has one node, so every such row was this node's. PostgreSQL may be shared
   * by several nodes: a row another node is running now is left alone; one whose claim expired is taken over by
   * the next claim anyway, and so is a crashed run of this node's, once its claim expires.
   */
  async recover(): Promise<void> {
    let rows = this.db.updateTable('outbox').set({ state: 'pending', claimed_by: null, claim_expires_at: null, updated_at: this.clock() }).where('state', '=', 'running');
    // PostgreSQL: only rows without a claim expiry (left by a version before claims had one).
    if (this.postgres) rows = rows.where('claim_expires_at', 'is', null);
    await rows.execute();
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** Runs due actions now instead of at the next poll. */
  wake(): void {
    this.poller.wake();
  }

  /** When the earliest waiting action becomes due (a held notification's release, a retry), as of the last pass. */
  private nextDue = Infinity;

  private async pass(): Promise<void> {
    await this.runDue();
    // A waiting row is due at its next attempt; a running one (another node's) when its claim expires.
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min(eb.case().when('state', '=', 'running').then(eb.ref('claim_expires_at')).else(eb.ref('next_attempt_at')).end()).as('next'))
      .where('state', 'in', ['pending', 'failed', 'running'])
      .executeTakeFirst();
    this.nextDue = row?.next === null || row?.next === undefined ? Infinity : Number(row.next);
  }

  /**
   * The pause before the next pass: until the earliest waiting action is due, so a notification held for its
   * enrichment goes the moment its deadline passes, not at the next poll; never longer than the poll interval
   * (another node may enqueue), and the poll interval when what is due now could not run (a breaker is open).
   */
  private untilNextDue(): number {
    const wait = this.nextDue - this.clock();
    return wait > 0 ? Math.min(this.options.pollMs, wait) : this.options.pollMs;
  }

  /** The breaker of a channel, for status pages: open means its actions are waiting. */
  breaker(channel: string): Breaker {
    let b = this.breakers.get(channel);
    if (!b) this.breakers.set(channel, (b = new Breaker(this.options.breakerFailures, this.options.breakerCooldownMs, this.clock)));
    return b;
  }

  /** Every channel's breaker state, for /metrics. */
  breakerStates(): [string, 'closed' | 'open' | 'half-open'][] {
    return [...this.breakers.entries()].map(([c, b]) => [c, b.state]);
  }

  /**
   * Runs every action due now; returns how many ran. Used by the timer, by replay and by tests. Each channel is a
   * lane of its own, and the lanes run side by side: a mail server that accepts the connection and never greets
   * holds the mails behind it for its timeout, not the chat message or the ticket of the same incident. Inside a
   * lane actions go one at a time, oldest first, as before.
   */
  async runDue(now = this.clock()): Promise<number> {
    const configured = [...this.channels.keys()];
    const lanes: Lane[] = [...configured.map((c): Lane => ({ channel: c })), { except: configured }];
    const ran = await Promise.all(lanes.map((lane) => this.runLane(lane, now)));
    return ran.reduce((a, b) => a + b, 0);
  }

  private async runLane(lane: Lane, now: number): Promise<number> {
    let ran = 0;
    // One pass goes once along the lane's queue: an action that failed in it waits for the next pass.
    let after = 0;
    for (;;) {
      const claimed = await this.claimAndPrepare(now, after, lane);
      if (!claimed) return ran;
      after = claimed.item.id;
      ran++;
      await this.runOne(claimed);
    }
  }

  /**
   * The claim, the remote's reference and, before a first attempt, the prepared payload, in one transaction: its
   * reads run on the writer's connection beside the claim, and the one commit the claim needs anyway is the only
   * wait for the disk before the send. A prepare that fails is rolled back to its savepoint and recorded as the
   * attempt's failure; the claim stands.
   */
  private async claimAndPrepare(now: number, after: number, lane: Lane): Promise<Claimed | undefined> {
    // On SQLite the claim's commit is not waited for on disk: a row a crash leaves `running` is due again at
    // start (recover), so only what came before it must be durable before the send (../store/durability.ts).
    // A PostgreSQL commit is durable when it returns.
    const { result, durability } = await committedFirst((scope) => this.claimAndPrepareIn(now, after, lane, scope));
    return result && { ...result, earlier: durability.earlier };
  }

  private async claimAndPrepareIn(now: number, after: number, lane: Lane, scope: DurabilityScope): Promise<Claimed | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await scope.bind(trx);
      const row = await this.claim(trx, now, after, lane);
      if (!row) return undefined;
      const item: OutboxItem = {
        id: Number(row.id),
        idempotencyKey: row.idempotency_key,
        channel: row.channel,
        incidentId: row.incident_id,
        attempts: Number(row.attempts),
        payload: JSON.parse(row.payload_json) as OutboxPayload,
        ref: await getRef(trx, row.incident_id, row.channel),
      };
      if (!this.hooks.prepare || item.attempts > 0 || !this.channels.has(item.channel)) return { item };
      await sql`savepoint vigil_prepare`.execute(trx);
      try {
        const payload = await this.hooks.prepare(item, trx);
        await sql`release savepoint vigil_prepare`.execute(trx);
        return { item: { ...item, payload }, prepared: JSON.stringify(payload) };
      } catch (err) {
        await sql`rollback to savepoint vigil_prepare`.execute(trx);
        return { item, failure: err as Error };
      }
    });
  }

  /**
   * Claims the lane's oldest action after `after` (its id) due by `now` whose channel's breaker lets it through: in one statement it moves the
   * row to `running` with this node and a claim expiry, and returns it as it is now. A row another node left
   * `running` past its claim expiry (it died mid-send) is due again. On PostgreSQL the pick is `FOR UPDATE SKIP
   * LOCKED`: workers of several nodes each take a different row and never wait on one another; on SQLite the
   * single writer makes the statement atomic as it is.
   */
  private async claim(trx: Kysely<Database>, now: number, after: number, lane: Lane) {
    const t = this.clock();
    const open = [...this.breakers.entries()].filter(([, b]) => !b.allows(t)).map(([c]) => c);
    let pick = trx
      .selectFrom('outbox')
      .select('id')
      .where('id', '>', after)
      .$if(lane.channel !== undefined, (q) => q.where('channel', '=', lane.channel!))
      .$if((lane.except?.length ?? 0) > 0, (q) => q.where('channel', 'not in', lane.except!))
      .where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['pending', 'failed']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb('claim_expires_at', '<=', t)]),
        ]),
      );
    if (open.length > 0) pick = pick.where('channel', 'not in', open);
    pick = pick.orderBy('id').limit(1);
    if (this.postgres) pick = pick.forUpdate().skipLocked();
    return trx
      .updateTable('outbox')
      .set({ state: 'running', claimed_by: this.holder, claim_expires_at: t + this.options.claimTimeoutMs, updated_at: t })
      .where('id', '=', pick)
      .returningAll()
      .executeTakeFirst();
  }

  private async runOne({ item, prepared, failure, earlier }: Claimed): Promise<void> {
    const channel = this.channels.get(item.channel);
    const attempts = item.attempts + 1;
    const breaker = this.breaker(item.channel);
    // A probe of a channel known to be down does not spend the action's attempts: an outage of any length
    // loses nothing; only failures while the channel otherwise works lead to the dead letter.
    const probing = breaker.state === 'half-open';
    let ref: ExternalRef | void;
    // The payload as prepared for the first attempt is stored with the attempt's outcome (so a retry sends exactly
    // what the first attempt sent) rather than in a commit of its own before the send: a crash before the outcome
    // is recorded leaves the action at its first attempt, which prepares it again either way.
    try {
      if (!channel) throw new PermanentError(`channel "${item.channel}" is not configured`);
      if (failure) throw failure;
      await earlier;
      ref = await channel.send(item);
    } catch (err) {
      if (err instanceof RefusedError) return this.recordRefusal(item, attempts, err, prepared);
      const permanent = err instanceof PermanentError;
      await this.recordFailure(item, probing && !permanent ? item.attempts : attempts, err as Error, prepared);
      if (!permanent) breaker.failure(this.clock());
      return;
    }
    breaker.success();
    await this.hooks.afterSend?.(item);
    const now = this.clock();
    await this.db.transaction().execute(async (trx) => {
      if (ref) await saveRef(trx, item.incidentId, item.channel, ref, now);
      await trx
        .updateTable('outbox')
        .set({ state: 'delivered', attempts, delivered_at: now, updated_at: now, last_error: null, ...preparedColumn(prepared) })
        .where('id', '=', item.id)
        .execute();
    });
    this.log.info({ action: item.id, channel: item.channel, incident: item.incidentId }, 'action delivered');
    this.hooks.onOutcome?.(item, 'delivered');
  }

  /** Refused before it ran: final, with the reason (the channel has audited the refusal itself). */
  private async recordRefusal(item: OutboxItem, attempts: number, err: RefusedError, prepared?: string): Promise<void> {
    const now = this.clock();
    await this.db
      .updateTable('outbox')
      .set({ state: 'refused', attempts, last_error: err.message.slice(0, 2000), updated_at: now, ...preparedColumn(prepared) })
      .where('id', '=', item.id)
      .execute();
    this.log.warn({ action: item.id, channel: item.channel, incident: item.incidentId, reason: err.message }, 'action refused');
    this.hooks.onOutcome?.(item, 'refused');
  }

  private async recordFailure(item: OutboxItem, attempts: number, err: Error, prepared?: string): Promise<void> {
    const dead = (attempts > item.attempts && attempts >= this.options.maxAttempts) || err instanceof PermanentError;
    const message = err?.message ?? String(err);
    const now = this.clock();
    await this.db
      .updateTable('outbox')
      .set({
        state: dead ? 'dead' : 'failed',
        attempts,
        last_error: message.slice(0, 2000),
        next_attempt_at: now + backoff(attempts, this.options),
        updated_at: now,
        ...preparedColumn(prepared),
      })
      .where('id', '=', item.id)
      .execute();
    if (dead) {
      await audit(this.db, {
        actor: 'system',
        action: 'action.dead-letter',
        target: `incident:${item.incidentId}`,
        result: 'failed',
        details: { action: item.id, channel: item.channel, attempts, error: message.slice(0, 500) },
      });
    }
    this.log.warn({ action: item.id, channel: item.channel, attempts, dead, err: message }, dead ? 'action dead-lettered' : 'action failed, will retry');
    this.hooks.onOutcome?.(item, dead ? 'dead' : 'failed');
  }
}

export function outboxOptions(c: {
  maxAttempts: number;
  baseDelay: number;
  maxDelay: number;
  poll: number;
  breakerFailures: number;
  breakerCooldown: number;
  claimTimeout: number;
}): OutboxOptions {
  return {
    maxAttempts: c.maxAttempts,
    baseDelayMs: c.baseDelay,
    maxDelayMs: c.maxDelay,
    pollMs: c.poll,
    breakerFailures: c.breakerFailures,
    breakerCooldownMs: c.breakerCooldown,
    claimTimeoutMs: c.claimTimeout,
  };
}

/** A claimed action; before its first attempt, its payload as prepared (or why preparing it failed). */
interface Claimed {
  item: OutboxItem;
  prepared?: string;
  failure?: Error;
  /** Resolves once everything committed before the claim (the incident, this action) is on disk. */
  earlier?: Promise<void>;
}

/** The payload prepared for a first attempt, stored with the attempt's outcome (nothing when none was prepared). */
const preparedColumn = (prepared: string | undefined) => (prepared === undefined ? {} : { payload_json: prepared });

/** Outbox states that will not change any more. */
const FINISHED = ['delivered', 'dead', 'refused'];

/** Incidents with an action not finished yet, as a subquery (retention keeps them). */
export function incidentsWithUnfinishedActions(db: Kysely<Database>) {
  return db.selectFrom('outbox').select('incident_id').where('state', 'not in', FINISHED);
}

/** Retention: finished actions last changed before `before`, at most `limit`; returns how many went. */
export async function purgeFinished(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const ids = db.selectFrom('outbox').select('id').where('state', 'in', FINISHED).where('updated_at', '<', before).limit(limit);
  const r = await db.deleteFrom('outbox').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

/** Retention: the actions of incidents that go. */
export async function deleteActionsOf(trx: Kysely<Database>, incidentIds: string[]): Promise<number> {
  const r = await trx.deleteFrom('outbox').where('incident_id', 'in', incidentIds).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
