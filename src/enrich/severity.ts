// Verdicts feed severity: a malicious verdict from an external provider (VirusTotal engines ≥ threshold,
// AbuseIPDB score ≥ threshold) raises its incident by the configured number of levels, once. The triage
// stage owns severity; this is the one function it calls (or replaces) when enrichment answers arrive.
import type { Kysely } from 'kysely';
import { LEVELS, type EnrichmentLookup, type Level } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { rowToIncident } from '../triage/incidents.js';
import type { Incident } from '../model/index.js';
import { enrichmentsForIncident } from './lookups.js';

export interface Escalation {
  incident: Incident;
  from: Level;
  to: Level;
  reasons: string[];
}

export function raise(level: Level, by: number): Level {
  return LEVELS[Math.min(LEVELS.length - 1, LEVELS.indexOf(level) + by)]!;
}

const EXTERNAL = new Set(['virustotal', 'abuseipdb']);
const NAMES: Record<string, string> = { virustotal: 'VirusTotal', abuseipdb: 'AbuseIPDB' };

/** Why an incident is raised: each malicious verdict, as people read it. */
export function maliciousReasons(lookups: EnrichmentLookup[]): string[] {
  return lookups
    .filter((l) => l.state === 'done' && l.verdict === 'malicious' && EXTERNAL.has(l.provider))
    .map((l) => `${NAMES[l.provider] ?? l.provider} on ${l.indicator.value}: ${l.summary ?? 'malicious'}`);
}

/** Raises the incident if its verdicts call for it and it was not raised by enrichment before. */
export async function applyVerdicts(db: Kysely<Database>, incidentId: string, raiseBy: number, now: number): Promise<Escalation | undefined> {
  if (raiseBy <= 0) return undefined;
  const reasons = maliciousReasons(await enrichmentsForIncident(db, incidentId));
  if (reasons.length === 0) return undefined;
  return db.transaction().execute(async (trx) => {
    const done = await trx.selectFrom('enrich_escalations').select('incident_id').where('incident_id', '=', incidentId).executeTakeFirst();
    if (done) return undefined;
    const row = await trx.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
    if (!row) return undefined;
    const from = row.level as Level;
    const to = raise(from, raiseBy);
    await trx
      .insertInto('enrich_escalations')
      .values({ incident_id: incidentId, from_level: from, to_level: to, reasons_json: JSON.stringify(reasons), at: now })
      .execute();
    if (to === from) return undefined;
    await trx.updateTable('incidents').set({ level: to, updated_at: now }).where('id', '=', incidentId).execute();
    return { incident: rowToIncident({ ...row, level: to, updated_at: now }), from, to, reasons };
  });
}
