// Incident rows ↔ IncidentRecord, and the small reads and writes every triage module shares.
import type { Kysely, Selectable } from 'kysely';
import type { IncidentStatus, Indicator, Level, RuleRef } from '../model/index.js';
import type { Database, IncidentTable } from '../store/schema.js';
import { isPostgres } from '../store/migrations/util.js';
import { criticalNames, type AssetCriticality } from './severity.js';
import { TriageError, type IncidentRecord, type Severity, type Verdict } from './types.js';

const opt = <T>(v: T | null | undefined): T | undefined => (v === null || v === undefined ? undefined : v);
const optNum = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

export function rowToRecord(r: Selectable<IncidentTable>): IncidentRecord {
  const reasons = JSON.parse(r.severity_json ?? '[]');
  const rule = JSON.parse(r.rule_json || '{}') as Partial<RuleRef>;
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    title: r.title,
    status: r.status as IncidentStatus,
    level: r.level as Level,
    ruleId: r.rule_id,
    ruleTitle: rule.title ?? r.title,
    entity: JSON.parse(r.entity_json),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    detectionCount: Number(r.detection_count),
    eventCount: Number(r.event_count),
    revision: Number(r.revision),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    rule: { id: r.rule_id, title: rule.title ?? r.title, level: (rule.level ?? r.level) as Level, tags: rule.tags ?? [], ...rule } as RuleRef,
    severity: { score: Number(r.severity_score ?? 0), level: r.level as Level, reasons } as Severity,
    wazuhLevel: Number(r.wazuh_level ?? 0),
    escalated: Number(r.escalated ?? 0) === 1,
    loggedOn: JSON.parse(r.logged_on_json ?? '[]'),
    mitre: JSON.parse(r.mitre_json ?? '[]'),
    enrichments: JSON.parse(r.enrichment_json ?? '[]'),
    summary: r.summary_json ? JSON.parse(r.summary_json) : undefined,
    summaryState: opt(r.summary_state) as IncidentRecord['summaryState'],
    assignee: opt(r.assignee),
    acknowledgedAt: optNum(r.acknowledged_at),
    acknowledgedBy: opt(r.acknowledged_by),
    resolvedAt: optNum(r.resolved_at),
    resolution: opt(r.resolution),
    verdict: opt(r.verdict) as Verdict | undefined,
    verdictComment: opt(r.verdict_comment),
    verdictBy: opt(r.verdict_by),
    verdictAt: optNum(r.verdict_at),
    lastDetectionAt: optNum(r.last_detection_at),
    resolvedBy: opt(r.resolved_by),
    resolutionComment: opt(r.resolution_comment),
  };
}

export async function findIncident(db: Kysely<Database>, id: string): Promise<IncidentRecord | undefined> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToRecord(row) : undefined;
}

/**
 * The incident as it is now, locked for the rest of the transaction, for a read-modify-write (a fold, an analyst's
 * change, auto-resolve): on PostgreSQL `FOR UPDATE`, so a change another node makes to it meanwhile waits for this
 * transaction and then sees what it wrote (counts and revisions are never written twice from one reading). SQLite's
 * single writer already serialises the transactions.
 */
export async function findIncidentForChange(trx: Kysely<Database>, id: string): Promise<IncidentRecord | undefined> {
  let q = trx.selectFrom('incidents').selectAll().where('id', '=', id);
  if (isPostgres(trx)) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? rowToRecord(row) : undefined;
}

export async function requireIncidentForChange(trx: Kysely<Database>, id: string): Promise<IncidentRecord> {
  const found = await findIncidentForChange(trx, id);
  if (!found) throw new TriageError('not_found', `no incident ${id}`);
  return found;
}

export async function incidentExists(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('incidents').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Incidents whose LLM summary is still to be written, oldest change first. */
export async function pendingSummaries(db: Kysely<Database>, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('incidents').select(['id']).where('summary_state', '=', 'pending').orderBy('updated_at').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** The LLM could not write it: the template summary stands. */
export async function markSummaryFailed(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('incidents').set({ summary_state: 'failed' }).where('id', '=', id).where('summary_state', '=', 'pending').execute();
}

/** Moves an incident to a new revision (a message people must hear of, outside the usual change path). */
export async function setRevision(db: Kysely<Database>, id: string, revision: number, now: number): Promise<void> {
  await db.updateTable('incidents').set({ revision, updated_at: now }).where('id', '=', id).execute();
}

/** Replaces the rule an incident names and its event count (a risk incident's say what it holds now). */
export async function setRuleOfIncident(db: Kysely<Database>, id: string, rule: RuleRef, eventCount: number): Promise<void> {
  await db.updateTable('incidents').set({ rule_json: JSON.stringify(rule), event_count: eventCount }).where('id', '=', id).execute();
}

export async function requireIncident(db: Kysely<Database>, id: string): Promise<IncidentRecord> {
  const found = await findIncident(db, id);
  if (!found) throw new TriageError('not_found', `no incident ${id}`);
  return found;
}

export async function indicatorsOfIncident(db: Kysely<Database>, id: string): Promise<(Indicator & { role: string })[]> {
  const rows = await db
    .selectFrom('incident_indicators')
    .select(['kind', 'value', 'role'])
    .where('incident_id', '=', id)
    .orderBy('role') // `entity` before `evidence`
    .orderBy('first_seen')
    .execute();
  return rows.map((r) => ({ kind: r.kind as Indicator['kind'], value: r.value, role: r.role }));
}

/** Adds indicators an incident has not held yet; returns the new ones. Writes only: no read of what it holds. */
export async function addIndicators(
  trx: Kysely<Database>,
  incidentId: string,
  list: Indicator[],
  role: 'entity' | 'evidence',
  now: number,
): Promise<Indicator[]> {
  if (list.length === 0) return [];
  const fresh: Indicator[] = [];
  for (let i = 0; i < list.length; i += 200) {
    const rows = await trx
      .insertInto('incident_indicators')
      .values(list.slice(i, i + 200).map((x) => ({ incident_id: incidentId, kind: x.kind, value: x.value, role, first_seen: now })))
      .onConflict((oc) => oc.columns(['incident_id', 'kind', 'value']).doNothing())
      .returning(['kind', 'value'])
      .execute();
    for (const r of rows) fresh.push({ kind: r.kind as Indicator['kind'], value: r.value });
  }
  return fresh;
}

/**
 * The incident's hosts and users that asset criticality names (at most one of each kind, entity first), found
 * in SQL: an incident holding 50,000 addresses costs no more to assess than one holding five.
 */
export async function criticalIndicators(db: Kysely<Database>, id: string, assets: AssetCriticality): Promise<Indicator[]> {
  const out: Indicator[] = [];
  for (const kind of ['host', 'user'] as const) {
    const names = criticalNames(kind, assets);
    if (names.length === 0) continue;
    const row = await db
      .selectFrom('incident_indicators')
      .select(['kind', 'value'])
      .where('incident_id', '=', id)
      .where('kind', '=', kind)
      .where((eb) => eb(eb.fn('lower', ['value']), 'in', names))
      .orderBy('role')
      .orderBy('first_seen')
      .limit(1)
      .executeTakeFirst();
    if (row) out.push({ kind, value: row.value });
  }
  return out;
}
