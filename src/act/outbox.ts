// The durable outbox. An action is a row before it runs; the worker claims due rows, runs the channel and
// records the result, retrying with exponential backoff and jitter until delivered or dead-lettered.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { Channel, OutboxItem } from './channel.js';

export interface EnqueueInput {
  channel: string;
  incidentId: string;
  revision: number;
  payload: unknown;
  /** Not sent before this time (e.g. a notification that waits for enrichment). Default: now. */
  notBefore?: number;
}

export function idempotencyKey(incidentId: string, channel: string, revision: number): string {
  return `${incidentId}:${channel}:${revision}`;
}

/** Adds an action inside the caller's transaction. The same (incident, channel, revision) is added once. */
export async function enqueue(trx: Kysely<Database>, input: EnqueueInput, now = Date.now()): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      idempotency_key: idempotencyKey(input.incidentId, input.channel, input.revision),
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
    .execute();
}

/** Makes an incident's waiting actions due now (e.g. its enrichment arrived before the deadline). */
export async function releaseWaiting(db: Kysely<Database>, incidentIds: string[], now = Date.now()): Promise<number> {
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
}

export const DEFAULT_OUTBOX: OutboxOptions = { maxAttempts: 12, baseDelayMs: 2_000, maxDelayMs: 15 * 60_000, pollMs: 1_000 };

export function backoff(attempt: number, o: OutboxOptions, random = Math.random): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter": never less than half the step
}

export class OutboxWorker {
  /**
   * Completes a payload just before its first attempt (e.g. with the enrichment that arrived meanwhile).
   * The result is stored, so a retry sends exactly what the first attempt sent.
   */
  prepare?: (item: OutboxItem) => Promise<Record<string, unknown>>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly channels: Map<string, Channel>,
    private readonly log: Logger,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX,
  ) {}

  /** Rows left `running` by a crash are due again: the channel's idempotency key keeps a resend harmless where the remote checks it. */
  async recover(): Promise<void> {
    await this.db.updateTable('outbox').set({ state: 'pending', updated_at: Date.now() }).where('state', '=', 'running').execute();
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs due actions now instead of at the next poll. */
  wake(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.runDue()
        .then(() => undefined)
        .catch((err) => this.log.error({ err }, 'outbox pass failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.pollMs);
        });
    }, ms);
  }

  /** Runs every action due now; returns how many ran. Used by the timer, by replay and by tests. */
  async runDue(now = Date.now()): Promise<number> {
    let ran = 0;
    for (;;) {
      const due = await this.db
        .selectFrom('outbox')
        .selectAll()
        .where('state', 'in', ['pending', 'failed'])
        .where('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(20)
        .execute();
      if (due.length === 0) return ran;
      for (const row of due) {
        // Claim: only one worker moves a row from pending/failed to running.
        const claimed = await this.db
          .updateTable('outbox')
          .set({ state: 'running', updated_at: Date.now() })
          .where('id', '=', row.id)
          .where('state', 'in', ['pending', 'failed'])
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) continue;
        ran++;
        await this.runOne({
          id: Number(row.id),
          idempotencyKey: row.idempotency_key,
          channel: row.channel,
          incidentId: row.incident_id,
          attempts: Number(row.attempts),
          payload: JSON.parse(row.payload_json),
        });
      }
    }
  }

  private async runOne(item: OutboxItem): Promise<void> {
    const channel = this.channels.get(item.channel);
    const attempts = item.attempts + 1;
    try {
      if (!channel) throw new Error(`channel "${item.channel}" is not configured`);
      if (this.prepare && item.attempts === 0) {
        item = { ...item, payload: await this.prepare(item) };
        await this.db.updateTable('outbox').set({ payload_json: JSON.stringify(item.payload) }).where('id', '=', item.id).execute();
      }
      await channel.send(item);
      await this.db
        .updateTable('outbox')
        .set({ state: 'delivered', attempts, delivered_at: Date.now(), updated_at: Date.now(), last_error: null })
        .where('id', '=', item.id)
        .execute();
      this.log.info({ action: item.id, channel: item.channel, incident: item.incidentId }, 'action delivered');
    } catch (err) {
      const dead = attempts >= this.options.maxAttempts;
      const message = (err as Error).message ?? String(err);
      await this.db
        .updateTable('outbox')
        .set({
          state: dead ? 'dead' : 'failed',
          attempts,
          last_error: message.slice(0, 2000),
          next_attempt_at: Date.now() + backoff(attempts, this.options),
          updated_at: Date.now(),
        })
        .where('id', '=', item.id)
        .execute();
      this.log.warn({ action: item.id, channel: item.channel, attempts, dead, err: message }, dead ? 'action dead-lettered' : 'action failed, will retry');
    }
  }
}
