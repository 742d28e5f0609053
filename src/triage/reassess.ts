// Severity again when enrichment verdicts arrive: the enrichment stage calls this with every verdict it
// holds for an incident. The verdicts are kept on the incident (so later detections keep counting them),
// the score and its reasons are rewritten, and a rise in level is returned for the caller to announce as
// an 'escalated' change.
import type { Kysely } from 'kysely';
import type { Level } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { assess, severityPatch } from './incidents.js';
import { findIncident, findIncidentForChange, indicatorsOfIncident, patchIncident } from './record.js';
import { templateSummary } from './summary/template.js';
import { NO_ASSETS, type AssetCriticality } from './severity.js';
import type { IncidentRecord, SeverityReason, VerdictInput } from './types.js';

export interface SeverityRise {
  incident: IncidentRecord;
  from: Level;
  to: Level;
  /** The enrichment reasons of the new score. */
  reasons: SeverityReason[];
}

const RANK: Record<Level, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

export async function reassess(
  trx: Kysely<Database>,
  incidentId: string,
  verdicts: VerdictInput[],
  now: number,
  assets: AssetCriticality = NO_ASSETS,
): Promise<SeverityRise | undefined> {
  const before = await findIncidentForChange(trx, incidentId);
  if (!before) return undefined;
  await patchIncident(trx, incidentId, { enrichment_json: JSON.stringify(verdicts) });
  const withVerdicts = (await findIncident(trx, incidentId))!;
  const s = await assess(trx, withVerdicts, assets);
  await patchIncident(trx, incidentId, { ...severityPatch(s), updated_at: now });
  let after = (await findIncident(trx, incidentId))!;
  // A template summary is rewritten with the verdicts (keeping its evidence lines); an LLM's stays as written.
  if (!after.summary || after.summary.source === 'template') {
    const summary = templateSummary({ incident: after, indicators: await indicatorsOfIncident(trx, incidentId), evidence: [] }, now);
    summary.evidence = after.summary?.evidence ?? [];
    await patchIncident(trx, incidentId, { summary_json: JSON.stringify(summary) });
    after = (await findIncident(trx, incidentId))!;
  }
  if (RANK[s.level] <= RANK[before.level]) return undefined;
  return { incident: after, from: before.level, to: s.level, reasons: s.reasons.filter((r) => r.factor === 'enrichment') };
}
