// What the dashboard and API do with actions: list them with their delivery state, retry a dead letter.
// Every change is written to the audit log with the person who made it.
import type { Kysely } from 'kysely';
import type { Action, ActionState } from '../model/index.js';
import { audit } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import type { ExternalRef } from './channel.js';

export interface ActionView extends Omit<Action, 'payload'> {
  deliveredAt?: number;
  /** The ticket, alert or thread at the remote, once delivered. */
  ref?: ExternalRef;
}

export interface ActionQuery {
  incidentId?: string;
  state?: ActionState;
  channel?: string;
  limit?: number;
}

export async function listActions(db: Kysely<Database>, q: ActionQuery = {}): Promise<ActionView[]> {
  let query = db
    .selectFrom('outbox')
    .leftJoin('action_refs', (j) => j.onRef('action_refs.incident_id', '=', 'outbox.incident_id').onRef('action_refs.channel', '=', 'outbox.channel'))
    .select([
      'outbox.id',
      'outbox.idempotency_key',
      'outbox.channel',
      'outbox.incident_id',
      'outbox.state',
      'outbox.attempts',
      'outbox.next_attempt_at',
      'outbox.last_error',
      'outbox.created_at',
      'outbox.updated_at',
      'outbox.delivered_at',
      'action_refs.external_id',
      'action_refs.thread',
      'action_refs.url',
    ]);
  if (q.incidentId) query = query.where('outbox.incident_id', '=', q.incidentId);
  if (q.state) query = query.where('outbox.state', '=', q.state);
  if (q.channel) query = query.where('outbox.channel', '=', q.channel);
  const rows = await query.orderBy('outbox.id', 'desc').limit(q.limit ?? 200).execute();
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
    ref: r.external_id ? { externalId: r.external_id, thread: r.thread ?? undefined, url: r.url ?? undefined } : undefined,
  }));
}

export type RetryResult = { ok: true } | { ok: false; reason: 'not-found' | 'not-retryable'; state?: string };

/** Puts a dead (or failed) action back in the queue with fresh attempts, now. */
export async function retryAction(db: Kysely<Database>, id: number, actor: string, now = Date.now()): Promise<RetryResult> {
  const row = await db.selectFrom('outbox').select(['state', 'incident_id', 'channel']).where('id', '=', id).executeTakeFirst();
  if (!row) return { ok: false, reason: 'not-found' };
  const res = await db
    .updateTable('outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['dead', 'failed'])
    .executeTakeFirst();
  const ok = Number(res.numUpdatedRows) === 1;
  await audit(db, {
    actor,
    action: 'action.retry',
    target: `incident:${row.incident_id}`,
    result: ok ? 'ok' : 'refused',
    details: { action: id, channel: row.channel, state: row.state },
  });
  return ok ? { ok: true } : { ok: false, reason: 'not-retryable', state: row.state };
}
