// What retention deletes, one small batch (one transaction) at a time. Deleting is the retention job's only
// business with these tables: every row it removes is past its configured age, and nothing it removes is still
// needed — an alert is kept while a detection holds it as evidence, an incident while it is not resolved or still
// has an action or response in flight, and the evidence of a kept incident goes only with that incident.
import type { Kysely } from 'kysely';
import { purgeRawAlerts, releaseEvidence } from '../alerts.js';
import { getCursor, setCursor } from '../cursors.js';
import type { Database } from '../schema.js';

/** Where the raw-alert purge has walked to (a cursor, stored with each batch). */
export const ALERTS_PURGE_CURSOR = 'retention.alerts';
/** The pipeline's position: alerts after it are not processed yet and never purged. */
const PIPELINE_CURSOR = 'pipeline';

export interface PurgeBatch {
  /** Rows deleted, by table. */
  deleted: Partial<Record<keyof Database, number>>;
  /** True when a full batch was found: there is probably more to delete right away. */
  more: boolean;
}

/** Outbox states that will not change any more. */
const FINISHED = ['delivered', 'dead', 'refused'];
/** Response states whose row the unblock scheduler or an approval still needs. */
const LIVE_RESPONSES = ['awaiting-approval', 'approved', 'blocked'];
/** Tables whose rows belong to one incident (column incident_id): they go with it. */
const INCIDENT_TABLES = ['incident_indicators', 'incident_comments', 'enrich_lookups', 'enrich_escalations', 'action_refs', 'responses', 'outbox'] as const;

const count = (r: { numDeletedRows?: bigint }) => Number(r.numDeletedRows ?? 0);

/** Raw alerts received before `before` that no detection holds, up to the pipeline's position. */
export async function purgeAlerts(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  return db.transaction().execute(async (trx) => {
    const afterSeq = Number((await getCursor(trx, ALERTS_PURGE_CURSOR)) ?? 0);
    const uptoSeq = Number((await getCursor(trx, PIPELINE_CURSOR)) ?? 0);
    const r = await purgeRawAlerts(trx, { afterSeq, uptoSeq, before, limit });
    if (r.reached > afterSeq) await setCursor(trx, ALERTS_PURGE_CURSOR, String(r.reached), before);
    return { deleted: { alerts: r.deleted }, more: r.more };
  });
}

/** Detections of these ids: their evidence is released and they are deleted. */
async function dropDetections(trx: Kysely<Database>, rows: { id: string; event_ids_json: string }[], deleted: PurgeBatch['deleted']): Promise<void> {
  const purgedTo = Number((await getCursor(trx, ALERTS_PURGE_CURSOR)) ?? 0);
  for (const d of rows) deleted.alerts = (deleted.alerts ?? 0) + (await releaseEvidence(trx, JSON.parse(d.event_ids_json) as string[], purgedTo));
  for (let i = 0; i < rows.length; i += 500)
    deleted.detections = (deleted.detections ?? 0) + count(await trx.deleteFrom('detections').where('id', 'in', rows.slice(i, i + 500).map((d) => d.id)).executeTakeFirst());
}

/**
 * Incidents resolved before `before`, with everything that belongs to them. An incident with an action not yet
 * finished or a block still in force waits for a later pass.
 */
export async function purgeIncidents(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  return db.transaction().execute(async (trx) => {
    const ids = (
      await trx
        .selectFrom('incidents as i')
        .select('i.id')
        .where('i.status', '=', 'resolved')
        .where('i.resolved_at', '<', before)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox as o').select('o.id').whereRef('o.incident_id', '=', 'i.id').where('o.state', 'not in', FINISHED))))
        .where((eb) => eb.not(eb.exists(eb.selectFrom('responses as r').select('r.id').whereRef('r.incident_id', '=', 'i.id').where('r.state', 'in', LIVE_RESPONSES))))
        .orderBy('i.resolved_at')
        .limit(limit)
        .execute()
    ).map((r) => r.id);
    const deleted: PurgeBatch['deleted'] = {};
    if (ids.length === 0) return { deleted, more: false };
    await dropDetections(trx, await trx.selectFrom('detections').select(['id', 'event_ids_json']).where('incident_id', 'in', ids).execute(), deleted);
    for (const table of INCIDENT_TABLES) deleted[table] = count(await trx.deleteFrom(table).where('incident_id', 'in', ids).executeTakeFirst());
    deleted.incident_links = count(await trx.deleteFrom('incident_links').where((eb) => eb.or([eb('incident_id', 'in', ids), eb('related_id', 'in', ids)])).executeTakeFirst());
    deleted.incidents = count(await trx.deleteFrom('incidents').where('id', 'in', ids).executeTakeFirst());
    return { deleted, more: ids.length === limit };
  });
}

/** Detections folded into no incident (suppressed) created before `before`, and the alerts only they held. */
export async function purgeUnfoldedDetections(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('detections').select(['id', 'event_ids_json']).where('incident_id', 'is', null).where('created_at', '<', before).limit(limit).execute();
    const deleted: PurgeBatch['deleted'] = {};
    await dropDetections(trx, rows, deleted);
    return { deleted, more: rows.length === limit };
  });
}

/** Finished outbox rows last changed before `before`. */
export async function purgeOutbox(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  const ids = db.selectFrom('outbox').select('id').where('state', 'in', FINISHED).where('updated_at', '<', before).limit(limit);
  const n = count(await db.deleteFrom('outbox').where('id', 'in', ids).executeTakeFirst());
  return { deleted: { outbox: n }, more: n === limit };
}

export async function purgeAudit(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  const ids = db.selectFrom('audit_log').select('id').where('at', '<', before).limit(limit);
  const n = count(await db.deleteFrom('audit_log').where('id', 'in', ids).executeTakeFirst());
  return { deleted: { audit_log: n }, more: n === limit };
}

export async function purgeQuarantine(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  const ids = db.selectFrom('ingest_quarantine').select('id').where('received_at', '<', before).limit(limit);
  const n = count(await db.deleteFrom('ingest_quarantine').where('id', 'in', ids).executeTakeFirst());
  return { deleted: { ingest_quarantine: n }, more: n === limit };
}

/** Enrichment answers past their own expiry (the cache's retention is its TTL), and expired sessions. */
export async function purgeExpired(db: Kysely<Database>, now: number, limit: number): Promise<PurgeBatch> {
  const keys = db.selectFrom('enrich_cache').select('cache_key').where('expires_at', '<', now).limit(limit);
  const cache = count(await db.deleteFrom('enrich_cache').where('cache_key', 'in', keys).executeTakeFirst());
  const sessions = count(await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst());
  return { deleted: { enrich_cache: cache, sessions }, more: cache === limit };
}
