// Verdicts feed severity (here in pipeline/, which joins enrichment to triage, so neither stage reaches into
// the other): when answers arrive, the incident's verdicts go to triage's severity score
// (malicious +20, suspicious +10, all harmless −10; see src/triage/severity.ts), and a rise in level is an
// escalation people hear of.
import type { Kysely } from 'kysely';
import { LEVELS, type EnrichmentLookup, type Level } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { reassess } from '../triage/reassess.js';
import type { AssetCriticality } from '../triage/severity.js';
import type { VerdictInput } from '../triage/types.js';
import type { Incident } from '../model/index.js';
import { recordEscalation } from '../enrich/escalations.js';
import { enrichmentsForIncident } from '../enrich/lookups.js';

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

/** The verdicts severity counts: every answered lookup with a verdict. */
export function verdictInputs(lookups: EnrichmentLookup[]): VerdictInput[] {
  return lookups
    .filter((l) => l.state === 'done' && l.verdict !== undefined)
    .map((l) => ({ provider: l.provider, indicator: l.indicator, verdict: l.verdict! }));
}

/**
 * Hands the incident's verdicts to triage, which rescores it (src/triage/severity.ts). Returns an escalation
 * when the level rose; `raiseBy: 0` turns verdicts off as a severity input. `then` runs in the same transaction,
 * after the new score is written (the release of a notification that waited for these verdicts).
 */
export async function applyVerdicts(
  db: Kysely<Database>,
  incidentId: string,
  raiseBy: number,
  now: number,
  assets?: AssetCriticality,
  then?: (trx: Kysely<Database>) => Promise<void>,
): Promise<Escalation | undefined> {
  if (raiseBy <= 0) return undefined;
  const lookups = await enrichmentsForIncident(db, incidentId);
  const verdicts = verdictInputs(lookups);
  if (verdicts.length === 0) return undefined;
  return db.transaction().execute(async (trx) => {
    const rise = await reassess(trx, incidentId, verdicts, now, assets);
    await then?.(trx);
    if (!rise) return undefined;
    const reasons = maliciousReasons(lookups);
    const said = reasons.length > 0 ? reasons : rise.reasons.map((r) => r.detail);
    await recordEscalation(trx, incidentId, rise.from, rise.to, said, now);
    return { incident: rise.incident, from: rise.from, to: rise.to, reasons: said };
  });
}
