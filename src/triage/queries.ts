// Reading incidents for people and the API: one incident in detail, and a filtered, paged list.
import type { Kysely } from 'kysely';
import type { Detection, Indicator } from '../model/index.js';
import { auditFor, firstAudited, type AuditRow } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import { detectionsOfIncident } from './detections.js';
import { findIncident, incidentTargetsOpenedSince, indicatorsOfIncident, linksOf, openedAt } from './record.js';
import { TriageError, type IncidentLink, type IncidentRecord } from './types.js';

export { countOpenIncidents, incidentsHolding, incidentsSeenSince, linksOf, listIncidents, MAX_PAGE, type IncidentFilter, type IncidentPage } from './record.js';

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

/** The first acknowledgement (from the audit log) of each incident opened at or after `since`. */
export async function firstAcknowledgements(db: Kysely<Database>, since: number, limit: number): Promise<{ id: string; createdAt: number; ackedAt: number }[]> {
  const acks = await firstAudited(db, 'incident.acknowledge', incidentTargetsOpenedSince(db, since), limit);
  const ids = acks.map((a) => a.target.slice('incident:'.length));
  const opened = await openedAt(db, ids);
  return acks.flatMap((a, i) => (opened.has(ids[i]!) ? [{ id: ids[i]!, createdAt: opened.get(ids[i]!)!, ackedAt: a.at }] : []));
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
