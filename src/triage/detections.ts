// The detections table: a rule's firing, kept once by its deterministic id and folded into an incident; and
// detection_rules, the rules they name (each rule's JSON once per version, not once per detection). Every query
// against them is here.
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Detection, RuleRef } from '../model/index.js';
import { sha1Hex } from '../model/digest.js';
import type { Database, DetectionTable } from '../store/schema.js';
import { markEvidence, releaseEvidence } from '../store/alerts.js';
import { markedRows, rowValues, sizeFor, templated } from '../store/templated.js';

const DETECTION_COLUMNS = ['id', 'rule_id', 'rule_title', 'level', 'time', 'first_time', 'group_json', 'count', 'event_ids_json', 'rule_json', 'rule_key', 'incident_id', 'created_at', 'suppression_id'] as const;

/**
 * A rule's JSON and the key its detections name it by: the rule's id and a digest of the JSON, so a rule changed
 * (another version, another file) is another row and a detection always reads the rule it was made by.
 */
interface StoredRule {
  key: string;
  json: string;
}

/** By rule: every detection of it names the same row. */
const STORED = new WeakMap<RuleRef, StoredRule>();
function storedRule(rule: RuleRef): StoredRule {
  let stored = STORED.get(rule);
  if (stored === undefined) {
    const json = JSON.stringify(rule);
    STORED.set(rule, (stored = { key: `${rule.id}/${sha1Hex(json).slice(0, 20)}`, json }));
  }
  return stored;
}

/** Writes the rules these detections name that the store does not hold yet (a batch names few). */
async function writeRules(trx: Kysely<Database>, rules: Iterable<RuleRef>): Promise<void> {
  const byKey = new Map<string, StoredRule>();
  for (const r of rules) {
    const stored = storedRule(r);
    byKey.set(stored.key, stored);
  }
  if (byKey.size === 0) return;
  // In one order (by key): two nodes' transactions writing the same new rules wait for each other, never deadlock.
  const sorted = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  await trx
    .insertInto('detection_rules')
    .values(sorted.map((r) => ({ rule_key: r.key, rule_json: r.json })))
    .onConflict((oc) => oc.column('rule_key').doNothing())
    .execute();
}

/** A detection to record, as the triage batch holds it until it is written. */
export interface NewDetection {
  row: Insertable<DetectionTable>;
  eventIds: string[];
  rule: RuleRef;
}

/** A detection's row, before it is folded into an incident; its rule's JSON is in detection_rules. */
export function detectionRow(d: Detection, now: number): Insertable<DetectionTable> {
  return {
    id: d.id,
    rule_id: d.rule.id,
    rule_title: d.rule.title,
    level: d.rule.level,
    time: d.time,
    first_time: d.firstTime,
    group_json: JSON.stringify(d.group),
    count: d.count,
    event_ids_json: JSON.stringify(d.eventIds),
    rule_json: '',
    rule_key: storedRule(d.rule).key,
    incident_id: null,
    created_at: now,
    suppression_id: null,
  };
}

/** Records a detection; false when its id was seen before (a replayed window has had its effects already). */
export async function recordDetection(trx: Kysely<Database>, d: Detection, now: number): Promise<boolean> {
  await writeRules(trx, [d.rule]);
  const inserted = await trx
    .insertInto('detections')
    .values(detectionRow(d, now))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  // Its alerts are evidence now: retention keeps them as long as this detection.
  await markEvidence(trx, d.eventIds);
  return true;
}

/** Which of these detection ids are recorded already. */
export async function recordedDetections(db: Kysely<Database>, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db.selectFrom('detections').select('id').where('id', 'in', ids.slice(i, i + 500)).execute()) out.add(r.id);
  }
  return out;
}

/**
 * Records detections known to be new (recordedDetections said so), with their incident or suppression, in few
 * statements; each holds its alerts as evidence, as recordDetection does.
 */
export async function insertDetections(trx: Kysely<Database>, detections: NewDetection[]): Promise<void> {
  await writeRules(trx, new Set(detections.map((d) => d.rule)));
  const rows = detections.map((d) => d.row);
  for (let i = 0, n = 0; i < rows.length; i += n) {
    n = sizeFor(rows.length - i);
    const chunk = rows.slice(i, i + n);
    await trx.executeQuery(
      templated(trx, 'detections.insert', chunk.length * DETECTION_COLUMNS.length, rowValues(chunk, DETECTION_COLUMNS), (marker) =>
        trx.insertInto('detections').values(markedRows(chunk.length, DETECTION_COLUMNS, marker) as unknown as Insertable<DetectionTable>[]),
      ),
    );
  }
  // markEvidence adds one per distinct alert of a call: an alert held by k detections is passed k times.
  const held = new Map<string, number>();
  for (const { eventIds } of detections) for (const id of new Set(eventIds)) held.set(id, (held.get(id) ?? 0) + 1);
  for (let layer = 1; held.size > 0; layer++) {
    await markEvidence(trx, [...held.keys()]);
    for (const [id, n] of held) if (n <= layer) held.delete(id);
  }
}

export async function markSuppressed(trx: Kysely<Database>, detectionId: string, suppressionId: number): Promise<void> {
  await trx.updateTable('detections').set({ suppression_id: suppressionId }).where('id', '=', detectionId).execute();
}

export async function assignToIncident(trx: Kysely<Database>, detectionId: string, incidentId: string): Promise<void> {
  await trx.updateTable('detections').set({ incident_id: incidentId }).where('id', '=', detectionId).execute();
}

/**
 * Events a fired correlation absorbed after its detection: they join the newest detection of that rule in the
 * incident (its event ids up to `maxIds`; the count stays exact), and the detection holds their alerts now too.
 */
export async function absorbEvents(trx: Kysely<Database>, incidentId: string, ruleId: string, events: { id: string }[], count: number, maxIds: number): Promise<void> {
  const det = await trx
    .selectFrom('detections')
    .select(['id', 'event_ids_json', 'count'])
    .where('incident_id', '=', incidentId)
    .where('rule_id', '=', ruleId)
    .orderBy('time', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!det) return;
  const ids: string[] = JSON.parse(det.event_ids_json);
  const before = ids.length;
  if (ids.length < maxIds) {
    const have = new Set(ids);
    for (const e of events) if (!have.has(e.id) && ids.length < maxIds) (have.add(e.id), ids.push(e.id));
  }
  // Retention keeps these alerts with the detection.
  await markEvidence(trx, ids.slice(before));
  await trx.updateTable('detections').set({ event_ids_json: JSON.stringify(ids), count: Number(det.count) + count }).where('id', '=', det.id).execute();
}

/** A detection as an incident's page lists it. */
export interface DetectionRow {
  id: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  time: number;
  firstTime: number;
  group: Record<string, string>;
  count: number;
  eventIds: string[];
  rule: RuleRef;
  createdAt: number;
}

type Row = { id: string; rule_id: string; rule_title: string; level: string; time: unknown; first_time: unknown; group_json: string; count: unknown; event_ids_json: string; rule_json: string; created_at: unknown };

function toRow(d: Row): DetectionRow {
  return {
    id: d.id,
    ruleId: d.rule_id,
    ruleTitle: d.rule_title,
    level: d.level,
    time: Number(d.time),
    firstTime: Number(d.first_time),
    group: JSON.parse(d.group_json),
    count: Number(d.count),
    eventIds: JSON.parse(d.event_ids_json),
    rule: JSON.parse(d.rule_json),
    createdAt: Number(d.created_at),
  };
}

/** Detections with their rule's JSON: from detection_rules, or the row's own (written before 1800). */
const withRules = (db: Kysely<Database>) =>
  db
    .selectFrom('detections')
    .leftJoin('detection_rules', 'detection_rules.rule_key', 'detections.rule_key')
    .select([
      'detections.id',
      'detections.rule_id',
      'detections.rule_title',
      'detections.level',
      'detections.time',
      'detections.first_time',
      'detections.group_json',
      'detections.count',
      'detections.event_ids_json',
      'detections.created_at',
      sql<string>`coalesce(detection_rules.rule_json, detections.rule_json)`.as('rule_json'),
    ]);

/** An incident's detections, oldest first. */
export async function detectionsOfIncident(db: Kysely<Database>, incidentId: string, limit?: number): Promise<DetectionRow[]> {
  let q = withRules(db).where('detections.incident_id', '=', incidentId).orderBy('detections.time');
  if (limit !== undefined) q = q.limit(limit);
  return (await q.execute()).map(toRow);
}

/** An incident's newest detection. */
export async function latestDetectionOf(db: Kysely<Database>, incidentId: string): Promise<DetectionRow | undefined> {
  const row = await withRules(db).where('detections.incident_id', '=', incidentId).orderBy('detections.time', 'desc').limit(1).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Detections at or after `since`, newest first (for the overview). */
export async function detectionsSince(db: Kysely<Database>, since: number, limit: number): Promise<DetectionRow[]> {
  const rows = await withRules(db).where('detections.time', '>=', since).orderBy('detections.time', 'desc').limit(limit).execute();
  return rows.map(toRow);
}

/** How many detections each rule has recorded. */
export async function detectionCountsByRule(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('detections').select(['rule_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('rule_id').execute();
  return new Map(rows.map((r) => [r.rule_id, Number(r.n)]));
}

/** The events each detection of these incidents counted, with its incident. */
export async function eventIdsOfIncidents(db: Kysely<Database>, incidentIds: string[]): Promise<{ incidentId: string; eventIds: string[] }[]> {
  if (incidentIds.length === 0) return [];
  const rows = await db.selectFrom('detections').select(['incident_id', 'event_ids_json']).where('incident_id', 'in', incidentIds).execute();
  return rows.map((r) => ({ incidentId: r.incident_id!, eventIds: JSON.parse(r.event_ids_json) as string[] }));
}

/** The ids of the events that made a detection, oldest first. */
export async function eventIdsOfDetection(db: Kysely<Database>, detectionId: string): Promise<string[]> {
  const det = await db.selectFrom('detections').select('event_ids_json').where('id', '=', detectionId).executeTakeFirst();
  return det ? (JSON.parse(det.event_ids_json) as string[]) : [];
}

/** A detection as retention drops it: its id and the alerts it holds. */
/** The event ids an incident's detections of other rules than `ruleId` hold. */
export async function eventIdsOfOtherRules(db: Kysely<Database>, incidentId: string, ruleId: string): Promise<string[]> {
  const rows = await db.selectFrom('detections').select('event_ids_json').where('incident_id', '=', incidentId).where('rule_id', '!=', ruleId).execute();
  return rows.flatMap((r) => JSON.parse(r.event_ids_json) as string[]);
}

export interface HeldEvidence {
  id: string;
  eventIds: string[];
}

export async function detectionsOfIncidents(trx: Kysely<Database>, incidentIds: string[]): Promise<HeldEvidence[]> {
  const rows = await trx.selectFrom('detections').select(['id', 'event_ids_json']).where('incident_id', 'in', incidentIds).execute();
  return rows.map((r) => ({ id: r.id, eventIds: JSON.parse(r.event_ids_json) as string[] }));
}

/** Detections folded into no incident (suppressed) created before `before`, at most `limit`. */
export async function unfoldedBefore(trx: Kysely<Database>, before: number, limit: number): Promise<HeldEvidence[]> {
  const rows = await trx.selectFrom('detections').select(['id', 'event_ids_json']).where('incident_id', 'is', null).where('created_at', '<', before).limit(limit).execute();
  return rows.map((r) => ({ id: r.id, eventIds: JSON.parse(r.event_ids_json) as string[] }));
}

/**
 * Retention: deletes these detections, releasing their evidence first (an alert no detection holds any more and
 * that the raw-alert purge has passed, `purgedTo`, goes with them). Returns the rows deleted, by table.
 */
export async function dropDetections(trx: Kysely<Database>, rows: HeldEvidence[], purgedTo: number): Promise<{ alerts: number; detections: number }> {
  let alerts = 0;
  let detections = 0;
  for (const d of rows) alerts += await releaseEvidence(trx, d.eventIds, purgedTo);
  for (let i = 0; i < rows.length; i += 500) {
    const r = await trx.deleteFrom('detections').where('id', 'in', rows.slice(i, i + 500).map((d) => d.id)).executeTakeFirst();
    detections += Number(r.numDeletedRows ?? 0);
  }
  return { alerts, detections };
}
