// The audit log: who did what to what, when, with which result. Every analyst action and every response
// step writes one row; rows are never updated, and deleted only by retention past `retention.audit`.
import { systemClock } from '../clock.js';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  result: string;
  details?: Record<string, unknown>;
}

export async function audit(db: Kysely<Database>, entry: AuditEntry, now = systemClock()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      result: entry.result,
      details_json: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: number;
}

export async function auditFor(db: Kysely<Database>, target: string, limit = 200): Promise<AuditRow[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('target', '=', target).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    target: r.target,
    result: r.result,
    details: JSON.parse(r.details_json),
  }));
}

/**
 * When `action` first succeeded on each of the targets `targets` selects (a subquery another stage builds over its
 * own table), at most `limit` targets.
 */
export async function firstAudited<TB extends keyof Database>(
  db: Kysely<Database>,
  action: string,
  targets: SelectQueryBuilder<Database, TB, { target: string }>,
  limit: number,
): Promise<{ target: string; at: number }[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['target', (eb) => eb.fn.min('at').as('first')])
    .where('action', '=', action)
    .where('result', '=', 'ok')
    .where('target', 'in', targets)
    .groupBy('target')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ target: r.target, at: Number(r.first) }));
}

/** Retention: audit rows written before `before`, at most `limit`; returns how many went. */
export async function purgeAudit(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const ids = db.selectFrom('audit_log').select('id').where('at', '<', before).limit(limit);
  const r = await db.deleteFrom('audit_log').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
