// Analyst status changes on incidents as plain status updates, each written to the audit log. The triage
// stage owns the incident lifecycle; these routes call its functions once they exist, and this module stays
// only as the thin seam the routes use.
import type { Kysely } from 'kysely';
import type { Incident, IncidentStatus } from '../../model/index.js';
import { audit } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import { rowToIncident } from '../../triage/incidents.js';

export class IncidentStateError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const ALLOWED: Record<string, { from: IncidentStatus[]; to: IncidentStatus }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  resolve: { from: ['open', 'acknowledged'], to: 'resolved' },
  reopen: { from: ['resolved', 'acknowledged'], to: 'open' },
};

export type StatusChange = keyof typeof ALLOWED & ('acknowledge' | 'resolve' | 'reopen');

export async function changeStatus(db: Kysely<Database>, id: string, change: StatusChange, actor: string, comment?: string, now = Date.now()): Promise<Incident> {
  const rule = ALLOWED[change]!;
  const target = `incident:${id}`;
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new IncidentStateError('not_found', `no incident ${id}`);
      if (!rule.from.includes(row.status as IncidentStatus))
        throw new IncidentStateError('conflict', `incident ${id} is ${row.status}; ${change} needs ${rule.from.join(' or ')}`);
      await trx.updateTable('incidents').set({ status: rule.to, updated_at: now }).where('id', '=', id).execute();
      await audit(trx, { actor, action: `incident.${change}`, target, result: 'ok', details: comment ? { comment } : {} }, now);
      return rowToIncident({ ...row, status: rule.to, updated_at: now });
    });
  } catch (err) {
    // A refused change is audited too, outside the rolled-back transaction.
    if (err instanceof IncidentStateError && err.code === 'conflict')
      await audit(db, { actor, action: `incident.${change}`, target, result: 'refused', details: { reason: err.message } }, now);
    throw err;
  }
}
