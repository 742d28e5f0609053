// The enrich_escalations table, the only module that queries it: the last time enrichment verdicts raised an
// incident's level, from what to what and why.
import type { Kysely } from 'kysely';
import type { Level } from '../model/index.js';
import type { Database } from '../store/schema.js';

/** Records (or updates, keeping the first `from`) the escalation of an incident by its enrichment verdicts. */
export async function recordEscalation(db: Kysely<Database>, incidentId: string, from: Level, to: Level, reasons: string[], now: number): Promise<void> {
  await db
    .insertInto('enrich_escalations')
    .values({ incident_id: incidentId, from_level: from, to_level: to, reasons_json: JSON.stringify(reasons), at: now })
    .onConflict((oc) => oc.column('incident_id').doUpdateSet({ to_level: to, reasons_json: JSON.stringify(reasons), at: now }))
    .execute();
}

/** Retention: the escalations of incidents that go. */
export async function deleteEscalationsOf(trx: Kysely<Database>, incidentIds: string[]): Promise<number> {
  const r = await trx.deleteFrom('enrich_escalations').where('incident_id', 'in', incidentIds).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
