// The per-incident lookups as stored, the only module that queries enrich_lookups: queued and settled by the
// broker, read by the notification and by the API.
import type { Insertable, Kysely, Selectable, SelectQueryBuilder, Updateable } from 'kysely';
import type { EnrichmentLookup, Indicator, IndicatorKind, LookupState } from '../model/index.js';
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

/** Queues a lookup (inside the caller's transaction); one per incident, provider and indicator. */
export async function queueLookup(trx: Kysely<Database>, row: Insertable<EnrichLookupTable>): Promise<void> {
  await trx
    .insertInto('enrich_lookups')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'provider', 'kind', 'value']).doNothing())
    .execute();
}

/** Pending lookups of a provider due by `dueBy`, counted up to `cap`. */
export async function pendingDueBy(db: Kysely<Database>, provider: string, dueBy: number, cap: number): Promise<number> {
  const rows = await db
    .selectFrom('enrich_lookups')
    .select('id')
    .where('provider', '=', provider)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', dueBy)
    .limit(cap)
    .execute();
  return rows.length;
}

/** Lookups due at `now` (pending, or failed with attempts left), highest priority first. */
export async function dueLookups(db: Kysely<Database>, now: number, maxAttempts: number, limit: number): Promise<{ provider: string; kind: string; value: string }[]> {
  return db
    .selectFrom('enrich_lookups')
    .select(['provider', 'kind', 'value'])
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('state', '=', 'pending'), eb.and([eb('state', '=', 'failed'), eb('attempts', '<', maxAttempts)])]))
    // Not those another node is calling the provider for right now.
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('priority', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** A provider's open lookups wait until `until` (quota), saying why. */
export async function postponeLookups(db: Kysely<Database>, provider: string, until: number, error: string): Promise<void> {
  await db
    .updateTable('enrich_lookups')
    .set({ next_attempt_at: until, error, claimed_until: null })
    .where('provider', '=', provider)
    .where('state', 'in', ['pending', 'failed'])
    .where('next_attempt_at', '<', until)
    .execute();
}

/** Open (pending or failed) lookups of one provider and indicator, across incidents. */
export async function openLookups(db: Kysely<Database>, provider: string, i: Indicator): Promise<{ id: number; attempts: number }[]> {
  const rows = await db
    .selectFrom('enrich_lookups')
    .select(['id', 'attempts'])
    .where('provider', '=', provider)
    .where('kind', '=', i.kind)
    .where('value', '=', i.value)
    .where('state', 'in', ['pending', 'failed'])
    .execute();
  return rows.map((r) => ({ id: Number(r.id), attempts: Number(r.attempts) }));
}

/** The incidents with an open lookup of this provider and indicator. */
export async function waitingIncidents(db: Kysely<Database>, provider: string, i: Indicator): Promise<string[]> {
  const rows = await db
    .selectFrom('enrich_lookups')
    .select('incident_id')
    .where('provider', '=', provider)
    .where('kind', '=', i.kind)
    .where('value', '=', i.value)
    .where('state', 'in', ['pending', 'failed'])
    .execute();
  return rows.map((r) => r.incident_id);
}

/** Writes one answer to every open lookup of the provider and indicator. */
export async function settleLookups(db: Kysely<Database>, provider: string, i: Indicator, patch: Updateable<EnrichLookupTable>): Promise<void> {
  await db
    .updateTable('enrich_lookups')
    .set({ ...patch, claimed_until: null })
    .where('provider', '=', provider)
    .where('kind', '=', i.kind)
    .where('value', '=', i.value)
    .where('state', 'in', ['pending', 'failed'])
    .execute();
}

/**
 * Takes an indicator's open lookups for this node until `until` (its call's timeout): one atomic update, so of
 * several nodes sharing the store only one calls the provider. Settling, failing or postponing them ends the
 * claim; a node that dies mid-call leaves them to the others once `until` has passed.
 */
export async function claimLookups(db: Kysely<Database>, provider: string, i: Indicator, now: number, until: number): Promise<boolean> {
  const r = await db
    .updateTable('enrich_lookups')
    .set({ claimed_until: until })
    .where('provider', '=', provider)
    .where('kind', '=', i.kind)
    .where('value', '=', i.value)
    .where('state', 'in', ['pending', 'failed'])
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function updateLookup(db: Kysely<Database>, id: number, patch: Updateable<EnrichLookupTable>): Promise<void> {
  await db.updateTable('enrich_lookups').set(patch).where('id', '=', id).execute();
}

/**
 * Of these incidents, those with a lookup still pending; with `holdFor`, only lookups due before their
 * notification's hold ends count (one postponed past it answers as an update).
 */
export async function stillPending(db: Kysely<Database>, incidentIds: string[], holdFor?: number): Promise<Set<string>> {
  let q = db.selectFrom('enrich_lookups').select('incident_id').distinct().where('incident_id', 'in', incidentIds).where('state', '=', 'pending');
  if (holdFor !== undefined && Number.isFinite(holdFor)) q = q.where((eb) => eb('next_attempt_at', '<', eb('created_at', '+', holdFor)));
  return new Set((await q.execute()).map((r) => r.incident_id));
}

/** The incidents with an open lookup of this provider due before `until`. */
export async function heldBefore(db: Kysely<Database>, provider: string, until: number): Promise<string[]> {
  const rows = await db
    .selectFrom('enrich_lookups')
    .select('incident_id')
    .distinct()
    .where('provider', '=', provider)
    .where('state', 'in', ['pending', 'failed'])
    .where('next_attempt_at', '<', until)
    .execute();
  return rows.map((r) => r.incident_id);
}

/** Retention: the lookups of incidents that go. */
export async function deleteLookupsOf(trx: Kysely<Database>, incidentIds: string[]): Promise<number> {
  const r = await trx.deleteFrom('enrich_lookups').where('incident_id', 'in', incidentIds).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
