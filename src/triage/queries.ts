// Reading incidents for people and the API: one incident in detail, and a filtered, paged list.
import { sql, type Kysely } from 'kysely';
import type { Detection, Indicator, IndicatorKind, IncidentStatus, Level } from '../model/index.js';
import { auditFor, type AuditRow } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import { detectionsOfIncident } from './detections.js';
import { findIncident, indicatorsOfIncident, rowToRecord } from './record.js';
import { TriageError, type IncidentLink, type IncidentRecord, type Verdict } from './types.js';

/** A detection as an incident lists it (without its events: `eventIds` name them). */
export type DetectionSummary = Pick<Detection, 'id' | 'rule' | 'time' | 'firstTime' | 'group' | 'count' | 'eventIds'>;

/** An incident with what people read beside it: its indicators and linked incidents. */
export interface IncidentView extends IncidentRecord {
  indicators: (Indicator & { role: string })[];
  links: IncidentLink[];
  /** The users its evidence names, one spelling per user: correlations compare them case-insensitively. */
  users: string[];
}

/** Distinct values, case-insensitively, keeping the first spelling seen. */
export function distinctFolded(values: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const v of values) if (v && !seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
  return [...seen.values()];
}

export async function incidentView(db: Kysely<Database>, id: string): Promise<IncidentView> {
  const inc = await findIncident(db, id);
  if (!inc) throw new TriageError('not_found', `no incident ${id}`);
  const indicators = await indicatorsOfIncident(db, id);
  const users = distinctFolded(indicators.filter((i) => i.kind === 'user').map((i) => i.value));
  return { ...inc, indicators, links: await linksOf(db, id), users };
}

export interface IncidentDetail extends IncidentView {
  detections: DetectionSummary[];
  /** Every evidence event id across the detections, oldest first, without repeats. */
  evidenceIds: string[];
  history: AuditRow[];
}

/**
 * Ids of the incidents active in Vigil at or after `since` (by when detections were folded in, whatever their
 * events' own clocks say), as a subquery for other stages' reads (enrichment answers).
 */
export function incidentsSeenSince(db: Kysely<Database>, since: number) {
  return db.selectFrom('incidents').select('id').where(sql<number>`coalesce(last_detection_at, created_at)`, '>=', since);
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

/** The first acknowledgement (from the audit log) of each incident opened at or after `since`. */
export async function firstAcknowledgements(db: Kysely<Database>, since: number, limit: number): Promise<{ id: string; createdAt: number; ackedAt: number }[]> {
  const rows = await db
    .selectFrom('audit_log')
    .innerJoin('incidents', (j) => j.on(sql<boolean>`audit_log.target = 'incident:' || incidents.id`))
    .select(['incidents.id', 'incidents.created_at', (eb) => eb.fn.min('audit_log.at').as('acked')])
    .where('audit_log.action', '=', 'incident.acknowledge')
    .where('audit_log.result', '=', 'ok')
    .where('incidents.created_at', '>=', since)
    .groupBy(['incidents.id', 'incidents.created_at'])
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, createdAt: Number(r.created_at), ackedAt: Number(r.acked) }));
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

export async function detectionsOf(db: Kysely<Database>, id: string, limit = 500): Promise<DetectionSummary[]> {
  const rows = await detectionsOfIncident(db, id, limit);
  return rows.map((r) => ({ id: r.id, rule: r.rule, time: r.time, firstTime: r.firstTime, group: r.group, count: r.count, eventIds: r.eventIds }));
}

export async function getIncident(db: Kysely<Database>, id: string): Promise<IncidentDetail> {
  const view = await incidentView(db, id);
  const detections = await detectionsOf(db, id);
  return {
    ...view,
    detections,
    evidenceIds: [...new Set(detections.flatMap((d) => d.eventIds))],
    history: (await auditFor(db, `incident:${id}`)).reverse(),
  };
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
