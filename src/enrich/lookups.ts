// The per-incident lookups as stored: queued by the broker, read by the notification and by the API.
import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { EnrichmentLookup, IndicatorKind, LookupState } from '../model/index.js';
import type { Database, EnrichLookupTable } from '../store/schema.js';
import type { Verdict } from './provider.js';

export function rowToLookup(r: Selectable<EnrichLookupTable>): EnrichmentLookup {
  const l: EnrichmentLookup = {
    provider: r.provider,
    indicator: { kind: r.kind as IndicatorKind, value: r.value },
    state: r.state as LookupState,
  };
  if (r.state === 'done') {
    l.found = Number(r.found) === 1;
    l.verdict = (r.verdict ?? 'unknown') as Verdict;
    if (r.summary) l.summary = r.summary;
    if (r.link) l.link = r.link;
    l.data = r.data_json ? JSON.parse(r.data_json) : {};
    if (r.fetched_at !== null) l.fetchedAt = Number(r.fetched_at);
  }
  if (r.state !== 'done' && r.error) l.error = r.error;
  return l;
}

/**
 * Answered IP lookups of the incidents `incidentIds` selects (a subquery triage builds over its own table), in
 * lookup order, at most `limit`.
 */
export async function ipAnswersOf(
  db: Kysely<Database>,
  incidentIds: SelectQueryBuilder<Database, 'incidents', { id: string }>,
  limit: number,
): Promise<{ value: string; provider: string; data: Record<string, unknown> | undefined }[]> {
  const rows = await db
    .selectFrom('enrich_lookups')
    .select(['value', 'data_json', 'provider'])
    .where('kind', '=', 'ip')
    .where('state', '=', 'done')
    .where('incident_id', 'in', incidentIds)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ value: r.value, provider: r.provider, data: r.data_json ? (JSON.parse(r.data_json) as Record<string, unknown>) : undefined }));
}

/** Everything known and pending about an incident's indicators, by indicator then provider. */
export async function enrichmentsForIncident(db: Kysely<Database>, incidentId: string): Promise<EnrichmentLookup[]> {
  const rows = await db.selectFrom('enrich_lookups').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
  return rows.map(rowToLookup);
}
