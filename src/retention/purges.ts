// What retention deletes, one small batch (one transaction) at a time. Each table's owner deletes its own rows
// (its purge… / delete…Of functions); this module only decides what may go and in which order: every row it
// removes is past its configured age, and nothing it removes is still needed — an alert is kept while a detection
// holds it as evidence, an incident while it is not resolved or still has an action or response in flight, and
// the evidence of a kept incident goes only with that incident.
import type { Kysely } from 'kysely';
import { deleteActionsOf, incidentsWithUnfinishedActions, purgeFinished } from '../act/outbox.js';
import { deleteRefsOf } from '../act/refs.js';
import { deleteResponsesOf, incidentsWithLiveResponses } from '../act/response/ledger.js';
import { purgeExpiredAnswers } from '../enrich/cache.js';
import { deleteEscalationsOf } from '../enrich/escalations.js';
import { deleteLookupsOf } from '../enrich/lookups.js';
import { purgeExpiredSessions } from '../server/auth/sessions.js';
import { purgeRawAlerts } from '../store/alerts.js';
import { purgeAudit as purgeAuditRows } from '../store/audit.js';
import { getCursor, setCursor } from '../store/cursors.js';
import { purgeQuarantine as purgeQuarantineRows } from '../store/quarantine.js';
import type { Database } from '../store/schema.js';
import { deleteCommentsOf } from '../triage/comments.js';
import { detectionsOfIncidents, dropDetections, unfoldedBefore, type HeldEvidence } from '../triage/detections.js';
import { deleteIncidents, resolvedBefore } from '../triage/record.js';

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
async function drop(trx: Kysely<Database>, rows: HeldEvidence[], deleted: PurgeBatch['deleted']): Promise<void> {
  const r = await dropDetections(trx, rows, Number((await getCursor(trx, ALERTS_PURGE_CURSOR)) ?? 0));
  if (rows.length === 0) return;
  deleted.alerts = (deleted.alerts ?? 0) + r.alerts;
  deleted.detections = (deleted.detections ?? 0) + r.detections;
}

/**
 * Incidents resolved before `before`, with everything that belongs to them. An incident with an action not yet
 * finished or a block still in force waits for a later pass.
 */
export async function purgeIncidents(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  return db.transaction().execute(async (trx) => {
    const ids = await resolvedBefore(trx, before, limit, [incidentsWithUnfinishedActions(trx), incidentsWithLiveResponses(trx)]);
    const deleted: PurgeBatch['deleted'] = {};
    if (ids.length === 0) return { deleted, more: false };
    await drop(trx, await detectionsOfIncidents(trx, ids), deleted);
    deleted.incident_comments = await deleteCommentsOf(trx, ids);
    deleted.enrich_lookups = await deleteLookupsOf(trx, ids);
    deleted.enrich_escalations = await deleteEscalationsOf(trx, ids);
    deleted.action_refs = await deleteRefsOf(trx, ids);
    deleted.responses = await deleteResponsesOf(trx, ids);
    deleted.outbox = await deleteActionsOf(trx, ids);
    Object.assign(deleted, await deleteIncidents(trx, ids));
    return { deleted, more: ids.length === limit };
  });
}

/** Detections folded into no incident (suppressed) created before `before`, and the alerts only they held. */
export async function purgeUnfoldedDetections(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  return db.transaction().execute(async (trx) => {
    const rows = await unfoldedBefore(trx, before, limit);
    const deleted: PurgeBatch['deleted'] = {};
    await drop(trx, rows, deleted);
    return { deleted, more: rows.length === limit };
  });
}

/** Finished outbox rows last changed before `before`. */
export async function purgeOutbox(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  const n = await purgeFinished(db, before, limit);
  return { deleted: { outbox: n }, more: n === limit };
}

export async function purgeAudit(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  const n = await purgeAuditRows(db, before, limit);
  return { deleted: { audit_log: n }, more: n === limit };
}

export async function purgeQuarantine(db: Kysely<Database>, before: number, limit: number): Promise<PurgeBatch> {
  const n = await purgeQuarantineRows(db, before, limit);
  return { deleted: { ingest_quarantine: n }, more: n === limit };
}

/** Enrichment answers past their own expiry (the cache's retention is its TTL), and expired sessions. */
export async function purgeExpired(db: Kysely<Database>, now: number, limit: number): Promise<PurgeBatch> {
  const cache = await purgeExpiredAnswers(db, now, limit);
  const sessions = await purgeExpiredSessions(db, now);
  return { deleted: { enrich_cache: cache, sessions }, more: cache === limit };
}
