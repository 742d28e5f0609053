// The incident aggregate's repository: the only module that queries `incidents`, `incident_indicators` and
// `incident_links`. Rows ↔ IncidentRecord, the reads and writes the triage modules compose, the lists and read
// models the API asks for, and the subqueries other stages' reads are built over.
import { sql, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder, type Updateable } from 'kysely';
import { INDICATOR_KINDS, LEVELS, indicatorKey, type IncidentStatus, type Indicator, type IndicatorKind, type Level, type RuleRef } from '../model/index.js';
import type { Database, IncidentIndicatorTable, IncidentTable } from '../store/schema.js';
import { isPostgres } from '../store/migrations/util.js';
import { criticalNames, type AssetCriticality } from './severity.js';
import { markedRows, rowValues, sizeFor, templated } from '../store/templated.js';
import { TriageError, type IncidentLink, type IncidentRecord, type RelatedIncident, type Severity, type Verdict } from './types.js';

const opt = <T>(v: T | null | undefined): T | undefined => (v === null || v === undefined ? undefined : v);
const optNum = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

export function rowToRecord(r: Selectable<IncidentTable>): IncidentRecord {
  return rowToRecordAfter(r).record;
}

/** A record made of an incident row, with the rule_json it parsed; the triage batch keeps the JSON columns beside. */
export interface MadeRecord {
  record: IncidentRecord;
  rule: Partial<RuleRef>;
}

/**
 * rowToRecord; `before`: the same incident's record made earlier and the JSON columns it was made from, whose
 * columns unchanged since are not parsed again (the triage batch makes a record of one row after every change of
 * a fold).
 */
export function rowToRecordAfter(r: Selectable<IncidentTable>, before?: MadeRecord & { json: JsonColumns }): MadeRecord {
  const kept = <T>(column: keyof JsonColumns, parse: () => T, take: (b: IncidentRecord) => T): T =>
    before && before.json[column] === r[column] ? take(before.record) : parse();
  const reasons = kept('severity_json', () => JSON.parse(r.severity_json ?? '[]'), (b) => b.severity.reasons);
  const rule = before && before.json.rule_json === r.rule_json ? before.rule : (JSON.parse(r.rule_json || '{}') as Partial<RuleRef>);
  const record: IncidentRecord = {
    id: r.id,
    fingerprint: r.fingerprint,
    title: r.title,
    status: r.status as IncidentStatus,
    level: r.level as Level,
    ruleId: r.rule_id,
    ruleTitle: rule.title ?? r.title,
    entity: kept('entity_json', () => JSON.parse(r.entity_json), (b) => b.entity),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    detectionCount: Number(r.detection_count),
    eventCount: Number(r.event_count),
    revision: Number(r.revision),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    // The RuleRef is made of rule_json and the row's rule id, title and level: kept when none of them changed.
    rule:
      before && before.json.rule_json === r.rule_json && before.json.rule_id === r.rule_id && before.json.title === r.title && before.json.level === r.level
        ? before.record.rule
        : ({ id: r.rule_id, title: rule.title ?? r.title, level: (rule.level ?? r.level) as Level, tags: rule.tags ?? [], ...rule } as RuleRef),
    severity: { score: Number(r.severity_score ?? 0), level: r.level as Level, reasons } as Severity,
    wazuhLevel: Number(r.wazuh_level ?? 0),
    escalated: Number(r.escalated ?? 0) === 1,
    loggedOn: kept('logged_on_json', () => JSON.parse(r.logged_on_json ?? '[]'), (b) => b.loggedOn),
    indicatorsCapped: r.indicators_capped ? JSON.parse(r.indicators_capped) : [],
    mitre: kept('mitre_json', () => JSON.parse(r.mitre_json ?? '[]'), (b) => b.mitre),
    enrichments: kept('enrichment_json', () => JSON.parse(r.enrichment_json ?? '[]'), (b) => b.enrichments),
    summary: kept('summary_json', () => (r.summary_json ? JSON.parse(r.summary_json) : undefined), (b) => b.summary),
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
  return { record, rule };
}

/** The JSON columns of an incident row (what rowToRecord parses), and the columns its RuleRef is made with. */
export type JsonColumns = Pick<
  Selectable<IncidentTable>,
  'severity_json' | 'rule_json' | 'entity_json' | 'logged_on_json' | 'mitre_json' | 'enrichment_json' | 'summary_json' | 'rule_id' | 'title' | 'level'
>;

export const jsonColumns = (r: Selectable<IncidentTable>): JsonColumns => ({
  rule_id: r.rule_id,
  title: r.title,
  level: r.level,
  severity_json: r.severity_json,
  rule_json: r.rule_json,
  entity_json: r.entity_json,
  logged_on_json: r.logged_on_json,
  mitre_json: r.mitre_json,
  enrichment_json: r.enrichment_json,
  summary_json: r.summary_json,
});

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

/**
 * Writes columns of one incident. The statement is compiled once per set of columns (templated): a batch writes
 * each incident it folded into with the same few sets, and building each through the query builder cost more than
 * running it. Columns left undefined are not written (as the query builder leaves them).
 */
export async function patchIncident(db: Kysely<Database>, id: string, patch: Updateable<IncidentTable>): Promise<void> {
  const columns = (Object.keys(patch) as (keyof IncidentTable)[]).filter((k) => patch[k] !== undefined);
  const values = columns.map((k) => patch[k]);
  // A value that is not a plain one (an expression) goes through the builder, which knows what to do with it.
  if (columns.length === 0 || values.some((v) => v !== null && typeof v === 'object')) {
    await db.updateTable('incidents').set(patch).where('id', '=', id).execute();
    return;
  }
  await db.executeQuery(
    templated(db, `incidents.patch/${columns.join(',')}`, columns.length + 1, (i) => (i < columns.length ? values[i] : id), (marker) =>
      db
        .updateTable('incidents')
        .set(Object.fromEntries(columns.map((c, i) => [c, marker(i)])) as Updateable<IncidentTable>)
        .where('id', '=', marker(columns.length)),
    ),
  );
}

export async function insertIncident(db: Kysely<Database>, row: Insertable<IncidentTable>): Promise<void> {
  await db.insertInto('incidents').values(row).execute();
}

/** The newest incident of a fingerprint, whatever its status; `forChange`: locked for the caller's transaction (PostgreSQL). */
export async function latestByFingerprint(db: Kysely<Database>, fingerprint: string, forChange = false): Promise<IncidentRecord | undefined> {
  const row = await latestRowByFingerprint(db, fingerprint, forChange);
  return row ? rowToRecord(row) : undefined;
}

/** latestByFingerprint's row, as the store holds it. */
export async function latestRowByFingerprint(db: Kysely<Database>, fingerprint: string, forChange = false): Promise<Selectable<IncidentTable> | undefined> {
  const lock = forChange && isPostgres(db);
  // Compiled once (every batch reads this for each fingerprint it folds into).
  const compiled = templated(db, lock ? 'incidents.latest.for-update' : 'incidents.latest', 1, () => fingerprint, (marker) => {
    const q = db.selectFrom('incidents').selectAll().where('fingerprint', '=', marker(0)).orderBy('last_seen', 'desc').limit(sql.lit(1));
    return lock ? q.forUpdate() : q;
  });
  return (await db.executeQuery<Selectable<IncidentTable>>(compiled)).rows[0];
}

/** The newest incident of a fingerprint that is not resolved: its id and counters. */
export async function openByFingerprint(db: Kysely<Database>, fingerprint: string): Promise<{ id: string; eventCount: number; lastSeen: number } | undefined> {
  const row = await db
    .selectFrom('incidents')
    .select(['id', 'event_count', 'last_seen'])
    .where('fingerprint', '=', fingerprint)
    .where('status', '!=', 'resolved')
    .orderBy('last_seen', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, eventCount: Number(row.event_count), lastSeen: Number(row.last_seen) } : undefined;
}

/** Open or acknowledged incidents with no detection folded in since `cutoff`, longest quiet first. */
export async function quietIncidents(db: Kysely<Database>, cutoff: number, limit: number): Promise<IncidentRecord[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('status', 'in', ['open', 'acknowledged'])
    .where((eb) => eb(eb.fn.coalesce('last_detection_at', 'created_at'), '<', cutoff))
    .orderBy('last_seen')
    .limit(limit)
    .execute();
  return rows.map(rowToRecord);
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
    // Bounded for incidents stored before evidence was (1810 marked those as capped).
    .limit(INDICATOR_KINDS.length * MAX_EVIDENCE_INDICATORS + 100)
    .execute();
  return rows.map((r) => ({ kind: r.kind as Indicator['kind'], value: r.value, role: r.role }));
}

/** Adds indicators an incident has not held yet (evidence within its bound, see withinBound); returns the new ones. */
export async function addIndicators(
  trx: Kysely<Database>,
  incidentId: string,
  list: Indicator[],
  role: 'entity' | 'evidence',
  now: number,
): Promise<Indicator[]> {
  if (list.length === 0) return [];
  const rows = await withinBound(trx, list.map((x) => ({ incident_id: incidentId, kind: x.kind, value: x.value, role, first_seen: now })));
  const fresh: Indicator[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const added = await trx
      .insertInto('incident_indicators')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['incident_id', 'kind', 'value']).doNothing())
      .returning(['kind', 'value'])
      .execute();
    for (const r of added) fresh.push({ kind: r.kind as Indicator['kind'], value: r.value });
  }
  return fresh;
}

/**
 * Evidence indicators an incident keeps of each kind. A rule that fires on every public-address logon failure
 * folds a new address into the same incident with each alert: unbounded, the incident's rows (and every read of
 * them: its view, each notification's lists, a ticket's observables, a block per address) grew with the attack.
 * The first ones seen are kept; the incident is marked as having seen more (`indicatorsCapped`), and its counts
 * of events stay exact.
 */
export const MAX_EVIDENCE_INDICATORS = 1000;

type IndicatorRow = { incident_id: string; kind: string; value: string; role: string; first_seen: number };

/**
 * Of these rows to add (any incidents, either role), those within each incident's bound: an incident's evidence
 * of a kind stops at MAX_EVIDENCE_INDICATORS rows of that kind, and one that had to leave a new value out is
 * marked. What each incident holds is counted once per call, a read bounded by the bound itself; the values it
 * holds are read only where the rows would go past it.
 */
async function withinBound(trx: Kysely<Database>, rows: IndicatorRow[]): Promise<IndicatorRow[]> {
  const evidence = new Map<string, IndicatorRow[]>();
  const out: IndicatorRow[] = [];
  for (const r of rows) {
    if (r.role !== 'evidence') out.push(r);
    else {
      const list = evidence.get(r.incident_id);
      if (list) list.push(r);
      else evidence.set(r.incident_id, [r]);
    }
  }
  for (const [id, list] of evidence) {
    const held = await heldCounts(trx, id);
    const byKind = new Map<string, IndicatorRow[]>();
    for (const r of list) {
      const same = byKind.get(r.kind);
      if (same) same.push(r);
      else byKind.set(r.kind, [r]);
    }
    const capped: string[] = [];
    for (const [kind, candidates] of byKind) {
      const n = held.get(kind) ?? 0;
      if (n + candidates.length <= MAX_EVIDENCE_INDICATORS) {
        out.push(...candidates);
        continue;
      }
      const have = await heldValues(trx, id, kind, candidates.map((c) => c.value));
      const fresh = candidates.filter((c) => !have.has(c.value));
      const room = Math.max(0, MAX_EVIDENCE_INDICATORS - n);
      out.push(...fresh.slice(0, room));
      if (fresh.length > room) capped.push(kind);
    }
    if (capped.length > 0) await markCapped(trx, id, capped);
  }
  return out;
}

/** How many indicator rows of each kind an incident holds (at most the bound and its few entity rows each). */
async function heldCounts(trx: Kysely<Database>, incidentId: string): Promise<Map<string, number>> {
  const rows = (
    await trx.executeQuery<{ kind: string; n: number | string }>(
      templated(trx, 'incident_indicators.counts', 1, () => incidentId, (marker) =>
        trx.selectFrom('incident_indicators').select((eb) => ['kind', eb.fn.countAll().as('n')]).where('incident_id', '=', marker(0)).groupBy('kind'),
      ),
    )
  ).rows;
  return new Map(rows.map((r) => [r.kind, Number(r.n)]));
}

/** Which of these values an incident holds as indicators of this kind. */
async function heldValues(trx: Kysely<Database>, incidentId: string, kind: string, values: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < values.length; i += 500) {
    const rows = await trx
      .selectFrom('incident_indicators')
      .select('value')
      .where('incident_id', '=', incidentId)
      .where('kind', '=', kind)
      .where('value', 'in', values.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.value);
  }
  return out;
}

/** Notes that the incident saw more evidence values of these kinds than it keeps. */
async function markCapped(trx: Kysely<Database>, incidentId: string, kinds: string[]): Promise<void> {
  const row = await trx.selectFrom('incidents').select('indicators_capped').where('id', '=', incidentId).executeTakeFirst();
  if (!row) return;
  const before: string[] = row.indicators_capped ? JSON.parse(row.indicators_capped) : [];
  const after = [...new Set([...before, ...kinds])].sort();
  if (after.length !== before.length) await trx.updateTable('incidents').set({ indicators_capped: JSON.stringify(after) }).where('id', '=', incidentId).execute();
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

/** Values looked up per statement by holdersOfMany (one statement text per size: the prepared statement is reused). */
const HOLDERS_CHUNK = 32;

/**
 * The incidents that most recently took up each of these indicators, in few statements: each indicator's `limit`
 * most recent holders (incident id and when it took the indicator up), newest first, by indicatorKey. Each part
 * reads a bounded range of the (kind, value, first_seen) index, whatever the store holds.
 */
export async function holdersOfMany(db: Kysely<Database>, indicators: Indicator[], limit: number): Promise<Map<string, { id: string; firstSeen: number }[]>> {
  const out = new Map<string, { id: string; firstSeen: number }[]>();
  const byKey = new Map<string, Indicator>();
  for (const i of indicators) byKey.set(indicatorKey(i), i);
  for (const k of byKey.keys()) out.set(k, []);
  const wanted = [...byKey.values()];
  for (let at = 0; at < wanted.length; at += HOLDERS_CHUNK) {
    const chunk = wanted.slice(at, at + HOLDERS_CHUNK);
    // Where the list fills more than one chunk, the last is padded with its last value to the full size, so it
    // reuses the full chunk's statement text instead of one of its own.
    while (chunk.length < HOLDERS_CHUNK && wanted.length > HOLDERS_CHUNK) chunk.push(chunk[chunk.length - 1]!);
    // One select per indicator, each a bounded range of the index, in one statement (raw: a compound select of
    // ordered, limited parts needs each part wrapped as a subquery). Compiled once per size and limit.
    const compiled = templated(db, `indicators.holders/${limit}`, chunk.length * 2, (i) => (i % 2 === 0 ? chunk[i >> 1]!.kind : chunk[i >> 1]!.value), (marker) => {
      const parts = chunk.map(
        (_, p) =>
          sql`select * from (select incident_id, kind, value, first_seen from incident_indicators where kind = ${marker(2 * p)} and value = ${marker(2 * p + 1)} order by first_seen desc limit ${sql.lit(limit)}) h`,
      );
      const query = sql`${sql.join(parts, sql` union all `)}`;
      return { compile: () => query.compile(db) };
    });
    const rows = (await db.executeQuery<{ incident_id: string; kind: string; value: string; first_seen: number }>(compiled)).rows;
    for (const r of rows) {
      const list = out.get(indicatorKey(r));
      if (list && !list.some((h) => h.id === r.incident_id)) list.push({ id: r.incident_id, firstSeen: Number(r.first_seen) });
    }
  }
  for (const list of out.values()) list.sort((a, b) => b.firstSeen - a.firstSeen);
  return out;
}

/** Indicator rows to add (several incidents, either role; evidence within each incident's bound); those an incident already holds are left as they are. */
export async function insertIndicators(trx: Kysely<Database>, candidates: IndicatorRow[]): Promise<void> {
  const rows = await withinBound(trx, candidates);
  const columns = ['incident_id', 'kind', 'value', 'role', 'first_seen'] as const;
  for (let i = 0, n = 0; i < rows.length; i += n) {
    n = sizeFor(rows.length - i);
    const chunk = rows.slice(i, i + n);
    await trx.executeQuery(
      templated(trx, 'incident_indicators.insert', chunk.length * columns.length, rowValues(chunk, columns), (marker) =>
        trx
          .insertInto('incident_indicators')
          .values(markedRows(chunk.length, columns, marker) as unknown as Insertable<IncidentIndicatorTable>[])
          .onConflict((oc) => oc.columns(['incident_id', 'kind', 'value']).doNothing()),
      ),
    );
  }
}

/** Of these incidents, those seen since `since`, most recently seen first, at most `limit` (a narrow row). */
export async function relatedAmong(db: Kysely<Database>, ids: string[], since: number, limit: number): Promise<(RelatedIncident & { lastSeen: number })[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'fingerprint', 'first_seen', 'last_seen', 'verdict', 'escalated', 'mitre_json', 'rule_id', 'rule_json', 'title', 'level'])
    .where('id', 'in', ids)
    .where('last_seen', '>=', since)
    .orderBy('last_seen', 'desc')
    .limit(limit)
    .execute();
  return rows.map(rowToRelated);
}

/** The narrow row of a related incident (what links and escalation read), with when it was last seen. */
export function rowToRelated(
  r: Pick<Selectable<IncidentTable>, 'id' | 'fingerprint' | 'first_seen' | 'last_seen' | 'verdict' | 'escalated' | 'mitre_json' | 'rule_id' | 'rule_json' | 'title' | 'level'>,
): RelatedIncident & { lastSeen: number } {
  const rule = JSON.parse(r.rule_json || '{}') as Partial<RuleRef>;
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    verdict: (r.verdict ?? undefined) as IncidentRecord['verdict'],
    escalated: Number(r.escalated ?? 0) === 1,
    mitre: JSON.parse(r.mitre_json ?? '[]'),
    rule: { id: r.rule_id, title: rule.title ?? r.title, level: (rule.level ?? r.level) as RuleRef['level'], tags: rule.tags ?? [], ...rule } as RuleRef,
  };
}

/** Links `id` both ways to those of `others` it is not linked to yet; one read and at most one write. */
export async function linkAll(trx: Kysely<Database>, id: string, others: { id: string; reason: string }[], now: number): Promise<void> {
  const candidates = others.filter((o) => o.id !== id);
  if (candidates.length === 0) return;
  const have = await trx
    .selectFrom('incident_links')
    .select('related_id')
    .where('incident_id', '=', id)
    .where('related_id', 'in', candidates.map((o) => o.id))
    .execute();
  const linked = new Set(have.map((r) => r.related_id));
  const fresh = candidates.filter((o) => !linked.has(o.id));
  if (fresh.length === 0) return;
  await trx
    .insertInto('incident_links')
    .values(
      fresh.flatMap((o) => [
        { incident_id: id, related_id: o.id, reason: o.reason, created_at: now },
        { incident_id: o.id, related_id: id, reason: o.reason, created_at: now },
      ]),
    )
    .onConflict((oc) => oc.columns(['incident_id', 'related_id']).doNothing())
    .execute();
}

export async function linksOf(db: Kysely<Database>, id: string): Promise<IncidentLink[]> {
  const rows = await db
    .selectFrom('incident_links')
    .innerJoin('incidents', 'incidents.id', 'incident_links.related_id')
    .select(['incident_links.related_id', 'incident_links.reason', 'incidents.title', 'incidents.status'])
    .where('incident_links.incident_id', '=', id)
    .orderBy('incident_links.created_at')
    .execute();
  return rows.map((r) => ({ incidentId: r.related_id, title: r.title, status: r.status, reason: r.reason }));
}

/**
 * Ids of the incidents active in Vigil at or after `since` (by when detections were folded in, whatever their
 * events' own clocks say), as a subquery for other stages' reads (enrichment answers).
 */
export function incidentsSeenSince(db: Kysely<Database>, since: number): SelectQueryBuilder<Database, 'incidents', { id: string }> {
  return db.selectFrom('incidents').select('id').where(sql<number>`coalesce(last_detection_at, created_at)`, '>=', since);
}

/** Audit targets (`incident:<id>`) of the incidents opened at or after `since`, as a subquery for the audit log's reads. */
export function incidentTargetsOpenedSince(db: Kysely<Database>, since: number): SelectQueryBuilder<Database, 'incidents', { target: string }> {
  return db.selectFrom('incidents').select(sql<string>`'incident:' || id`.as('target')).where('created_at', '>=', since);
}

/** When each of these incidents was opened. */
export async function openedAt(db: Kysely<Database>, ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('incidents').select(['id', 'created_at']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, Number(r.created_at));
  }
  return out;
}

/**
 * The incidents holding an indicator (exact; a user, or any kind when none is given, case-insensitive), newest
 * activity first, at most `limit`, with how many there are in all.
 */
export async function incidentsHolding(db: Kysely<Database>, value: string, kind: IndicatorKind | undefined, limit: number): Promise<{ total: number; incidents: IncidentRecord[] }> {
  const fold = kind === undefined || kind === 'user';
  const want = fold ? value.toLowerCase() : value;
  let q = db.selectFrom('incidents').where('id', 'in', (eb) => {
    let sub = eb.selectFrom('incident_indicators').select('incident_id');
    sub = kind === 'user' ? sub.where(sql<string>`lower(value)`, '=', want) : kind ? sub.where('value', '=', value) : sub.where(sql<string>`lower(value)`, '=', want);
    return kind ? sub.where('kind', '=', kind) : sub;
  });
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  q = q.orderBy(sql`coalesce(last_detection_at, created_at)`, 'desc').orderBy('id');
  return { total, incidents: (await q.selectAll().limit(limit).execute()).map(rowToRecord) };
}

export async function countOpenIncidents(db: Kysely<Database>): Promise<number> {
  const open = await db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '!=', 'resolved').executeTakeFirstOrThrow();
  return Number(open.n);
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  level?: Level[];
  minScore?: number;
  ruleId?: string;
  assignee?: string;
  verdict?: Verdict | 'none';
  /** Incidents that hold this indicator value (an IP, a user, a host …), exact. */
  indicator?: string;
  /** last_seen ≥ since (epoch ms). */
  since?: number;
  /** first_seen < until (epoch ms). */
  until?: number;
  /** `received` (default): newest activity in Vigil first, whatever the events' own clocks say. */
  sort?: 'received' | 'last_seen' | 'severity';
  limit?: number;
  offset?: number;
}

export interface IncidentPage {
  items: IncidentRecord[];
  total: number;
  limit: number;
  offset: number;
}

export const MAX_PAGE = 200;

export async function listIncidents(db: Kysely<Database>, filter: IncidentFilter = {}): Promise<IncidentPage> {
  const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? 50)), MAX_PAGE);
  const offset = Math.max(0, Math.floor(filter.offset ?? 0));
  if (!Number.isFinite(limit) || !Number.isFinite(offset)) throw new TriageError('invalid', 'limit and offset must be numbers');
  let q = db.selectFrom('incidents');
  if (filter.status?.length) q = q.where('status', 'in', filter.status);
  if (filter.level?.length) q = q.where('level', 'in', filter.level);
  if (filter.minScore !== undefined) q = q.where('severity_score', '>=', filter.minScore);
  if (filter.ruleId) q = q.where('rule_id', '=', filter.ruleId);
  if (filter.assignee) q = q.where('assignee', '=', filter.assignee);
  if (filter.verdict === 'none') q = q.where('verdict', 'is', null);
  else if (filter.verdict) q = q.where('verdict', '=', filter.verdict);
  if (filter.since !== undefined) q = q.where('last_seen', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('first_seen', '<', filter.until);
  if (filter.indicator) {
    const value = filter.indicator;
    q = q.where('id', 'in', (eb) => eb.selectFrom('incident_indicators').select('incident_id').where('value', '=', value));
  }
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const received = sql`coalesce(last_detection_at, created_at)`;
  const ordered =
    filter.sort === 'severity'
      ? q.selectAll().orderBy('severity_score', 'desc').orderBy(received, 'desc')
      : filter.sort === 'last_seen'
        ? q.selectAll().orderBy('last_seen', 'desc')
        : q.selectAll().orderBy(received, 'desc');
  const rows = await ordered.orderBy('id').limit(limit).offset(offset).execute();
  return { items: rows.map(rowToRecord), total, limit, offset };
}

/**
 * Retention: incidents resolved before `before`, oldest first, at most `limit`, but none that `keep` selects
 * (subqueries of incident ids other stages still need: an action in flight, a block in force).
 */
export async function resolvedBefore(
  db: Kysely<Database>,
  before: number,
  limit: number,
  keep: SelectQueryBuilder<Database, keyof Database, { incident_id: string }>[],
): Promise<string[]> {
  let q = db.selectFrom('incidents').select('id').where('status', '=', 'resolved').where('resolved_at', '<', before);
  for (const k of keep) q = q.where('id', 'not in', k);
  return (await q.orderBy('resolved_at').limit(limit).execute()).map((r) => r.id);
}

/** Retention: deletes these incidents with their indicators and links (both ways). Returns the rows deleted, by table. */
export async function deleteIncidents(trx: Kysely<Database>, ids: string[]): Promise<{ incidents: number; incident_indicators: number; incident_links: number }> {
  const n = (r: { numDeletedRows?: bigint }) => Number(r.numDeletedRows ?? 0);
  const incident_indicators = n(await trx.deleteFrom('incident_indicators').where('incident_id', 'in', ids).executeTakeFirst());
  const incident_links = n(await trx.deleteFrom('incident_links').where((eb) => eb.or([eb('incident_id', 'in', ids), eb('related_id', 'in', ids)])).executeTakeFirst());
  const incidents = n(await trx.deleteFrom('incidents').where('id', 'in', ids).executeTakeFirst());
  return { incidents, incident_indicators, incident_links };
}

/** Incidents opened in [since, until), counted per rule and verdict, with their acknowledgements (per-rule quality, quality.ts). */
export async function verdictCountsByRule(
  db: Kysely<Database>,
  since: number,
  until: number,
): Promise<{ ruleId: string; verdict: string | null; incidents: number; acknowledged: number; ackMs: number }[]> {
  const rows = await db
    .selectFrom('incidents')
    .select((eb) => [
      'rule_id',
      'verdict',
      eb.fn.countAll<number>().as('n'),
      eb.fn.count<number>('acknowledged_at').as('acked'),
      eb.fn.sum<number>(sql`acknowledged_at - created_at`).as('ack_ms'),
    ])
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .groupBy(['rule_id', 'verdict'])
    .execute();
  return rows.map((r) => ({ ruleId: r.rule_id, verdict: r.verdict, incidents: Number(r.n), acknowledged: Number(r.acked), ackMs: Number(r.ack_ms ?? 0) }));
}

/** A rule's incidents opened since `since` with a true- or false-positive verdict, newest first (a filter proposal). */
export async function judgedIncidentsOf(db: Kysely<Database>, ruleId: string, since: number, limit = 200): Promise<{ id: string; verdict: Verdict }[]> {
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'verdict'])
    .where('rule_id', '=', ruleId)
    .where('verdict', 'in', ['true_positive', 'false_positive'])
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, verdict: r.verdict as Verdict }));
}

/** Every incident's rule, fingerprint, entity, span and event count, oldest first (the stores a backtest compares). */
export async function incidentSpans(
  db: Kysely<Database>,
): Promise<{ ruleId: string; fingerprint: string; title: string; entity: Record<string, string>; firstSeen: number; lastSeen: number; events: number }[]> {
  const rows = await db.selectFrom('incidents').select(['rule_id', 'fingerprint', 'title', 'entity_json', 'first_seen', 'last_seen', 'event_count']).orderBy('first_seen').execute();
  return rows.map((r) => ({
    ruleId: r.rule_id,
    fingerprint: r.fingerprint,
    title: r.title,
    entity: JSON.parse(r.entity_json),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    events: Number(r.event_count),
  }));
}

/**
 * The strongest other incident that is open (not resolved), at least `minLevel`, scores higher than `score`, and
 * has one of these indicators as its entity (not merely in its evidence: a brute force names the domain controller
 * it targets, and that says nothing of the other attacks on it): what inhibition holds a weaker incident's
 * messages back for. Bounded like `relatedIncidents`: a few indicators, each read from the (kind, value) index.
 */
export async function strongerOpenIncident(
  trx: Kysely<Database>,
  incidentId: string,
  indicators: Indicator[],
  minLevel: Level,
  score: number,
  /** Indicators read, and holders read per indicator (the bounds of relatedIncidents). */
  lookedUp = 8,
  perIndicator = 21,
): Promise<{ id: string; title: string; level: Level; score: number; shared: Indicator } | undefined> {
  const wanted = indicators.slice(0, lookedUp);
  const levels = LEVELS.slice(LEVELS.indexOf(minLevel));
  let best: { id: string; title: string; level: Level; score: number; shared: Indicator } | undefined;
  for (const i of wanted) {
    const holders = trx
      .selectFrom('incident_indicators')
      .select('incident_id')
      .where('kind', '=', i.kind)
      .where('value', '=', i.value)
      .where('role', '=', 'entity')
      .where('incident_id', '!=', incidentId)
      .orderBy('first_seen', 'desc')
      .limit(perIndicator);
    const row = await trx
      .selectFrom('incidents')
      .select(['id', 'title', 'level', 'severity_score'])
      .where('id', 'in', holders)
      .where('status', '!=', 'resolved')
      .where('level', 'in', levels)
      .where('severity_score', '>', score)
      .orderBy('severity_score', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row && (!best || Number(row.severity_score) > best.score))
      best = { id: row.id, title: row.title, level: row.level as Level, score: Number(row.severity_score), shared: i };
  }
  return best;
}

/** Folds a weaker incident into a stronger one (inhibition): linked both ways, the reason saying so. */
export async function foldInto(trx: Kysely<Database>, weakId: string, strongId: string, reason: string, now: number): Promise<void> {
  await trx
    .insertInto('incident_links')
    .values([
      { incident_id: weakId, related_id: strongId, reason, created_at: now },
      { incident_id: strongId, related_id: weakId, reason, created_at: now },
    ])
    .onConflict((oc) => oc.columns(['incident_id', 'related_id']).doUpdateSet({ reason }))
    .execute();
}
