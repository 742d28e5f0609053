// What the dashboard and API do with actions: list them with their delivery state, retry a dead letter.
// Every change is written to the audit log with the person who made it.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { ActionState } from '../model/index.js';
import { audit } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import type { ExternalRef } from './channel.js';
import { listOutbox, outboxEntry, requeue, type ActionRow } from './outbox.js';
import { refKey, refsOfIncidents } from './refs.js';

export interface ActionView extends ActionRow {
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
  const rows = await listOutbox(db, { ...q, limit: q.limit ?? 200 });
  const refs = await refsOfIncidents(db, [...new Set(rows.map((r) => r.incidentId))]);
  return rows.map((r) => ({ ...r, ref: refs.get(refKey(r.incidentId, r.channel)) }));
}

export type RetryResult = { ok: true } | { ok: false; reason: 'not-found' | 'not-retryable'; state?: string };

/** Puts a dead (or failed) action back in the queue with fresh attempts, now. */
export async function retryAction(db: Kysely<Database>, id: number, actor: string, now = systemClock()): Promise<RetryResult> {
  const row = await outboxEntry(db, id);
  if (!row) return { ok: false, reason: 'not-found' };
  const ok = await requeue(db, id, now);
  await audit(db, {
    actor,
    action: 'action.retry',
    target: `incident:${row.incidentId}`,
    result: ok ? 'ok' : 'refused',
    details: { action: id, channel: row.channel, state: row.state },
  });
  return ok ? { ok: true } : { ok: false, reason: 'not-retryable', state: row.state };
}
