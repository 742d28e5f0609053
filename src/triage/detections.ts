// The detections table: a rule's firing, kept once by its deterministic id and folded into an incident.
// Every query against it is here.
import type { Kysely } from 'kysely';
import type { Detection, RuleRef } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { markEvidence } from '../store/alerts.js';

/** Records a detection; false when its id was seen before (a replayed window has had its effects already). */
export async function recordDetection(trx: Kysely<Database>, d: Detection, now: number): Promise<boolean> {
  const inserted = await trx
    .insertInto('detections')
    .values({
      id: d.id,
      rule_id: d.rule.id,
      rule_title: d.rule.title,
      level: d.rule.level,
      time: d.time,
      first_time: d.firstTime,
      group_json: JSON.stringify(d.group),
      count: d.count,
      event_ids_json: JSON.stringify(d.eventIds),
      rule_json: JSON.stringify(d.rule),
      incident_id: null,
      created_at: now,
      suppression_id: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  // Its alerts are evidence now: retention keeps them as long as this detection.
  await markEvidence(trx, d.eventIds);
  return true;
}

export async function markSuppressed(trx: Kysely<Database>, detectionId: string, suppressionId: number): Promise<void> {
  await trx.updateTable('detections').set({ suppression_id: suppressionId }).where('id', '=', detectionId).execute();
}

export async function assignToIncident(trx: Kysely<Database>, detectionId: string, incidentId: string): Promise<void> {
  await trx.updateTable('detections').set({ incident_id: incidentId }).where('id', '=', detectionId).execute();
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

/** An incident's detections, oldest first. */
export async function detectionsOfIncident(db: Kysely<Database>, incidentId: string, limit?: number): Promise<DetectionRow[]> {
  let q = db.selectFrom('detections').selectAll().where('incident_id', '=', incidentId).orderBy('time');
  if (limit !== undefined) q = q.limit(limit);
  return (await q.execute()).map(toRow);
}

/** An incident's newest detection. */
export async function latestDetectionOf(db: Kysely<Database>, incidentId: string): Promise<DetectionRow | undefined> {
  const row = await db.selectFrom('detections').selectAll().where('incident_id', '=', incidentId).orderBy('time', 'desc').limit(1).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Detections at or after `since`, newest first (for the overview). */
export async function detectionsSince(db: Kysely<Database>, since: number, limit: number): Promise<DetectionRow[]> {
  const rows = await db.selectFrom('detections').selectAll().where('time', '>=', since).orderBy('time', 'desc').limit(limit).execute();
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
