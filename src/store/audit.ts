// The audit log: who did what to what, when, with which result. Every analyst action and every response
// step writes one row; rows are never updated or deleted by Vigil.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  result: string;
  details?: Record<string, unknown>;
}

export async function audit(db: Kysely<Database>, entry: AuditEntry, now = Date.now()): Promise<void> {
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
