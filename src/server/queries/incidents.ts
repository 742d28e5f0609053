// One incident's full picture for the API and the dashboard: triage's view of it (severity with reasons,
// summary, analyst state, indicators, links) with its detections, evidence events, enrichment, actions with
// delivery state, proposed blocks, its audit trail and a timeline. The queue is triage's listIncidents.
import type { LookupState } from '../../model/index.js';
import type { Kysely } from 'kysely';
import { auditFor, type AuditRow } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import { listActions, type ActionView } from '../../act/admin.js';
import { INHIBITED_ACTION } from '../../act/actions.js';
import type { ResponseService, ResponseView } from '../../act/response/service.js';
import { enrichmentsForIncident } from '../../enrich/lookups.js';
import { incidentView, type IncidentView } from '../../triage/queries.js';
import { TriageError } from '../../triage/types.js';
import { commentsOf, type Comment } from '../../triage/comments.js';
import { actorLabel, plural } from '../../model/wording.js';
import { detectionsOfIncident, type DetectionRow } from '../../triage/detections.js';
import { evidenceFor, type EvidenceEvent } from './evidence.js';

/** A detection as the incident page lists it (its events are the evidence). */
export type DetectionView = Omit<DetectionRow, 'eventIds' | 'rule' | 'createdAt'>;

/** One provider's answer about one indicator, flattened for cards: verdict, country and network owner. */
export interface EnrichmentCard {
  provider: string;
  kind: string;
  value: string;
  state: LookupState;
  verdict: string | null;
  summary: string | null;
  link: string | null;
  country: string | null;
  asn: string | null;
  asOrg: string | null;
  fetchedAt: number | null;
  error: string | null;
}

export interface TimelineEntry {
  at: number;
  kind: 'detection' | 'action' | 'analyst' | 'comment';
  text: string;
  /** Who did it (analyst entries and comments), as people read it. */
  actor?: string;
}

/** Why the incident's messages were last held back: a stronger incident open for the same entity (inhibition). */
export interface InhibitionView {
  /** `silenced`, or `folded` (also linked into the stronger incident). */
  mode: 'silenced' | 'folded';
  by: string;
  title: string;
  level: string;
  shared: { kind: string; value: string };
  change: string;
  playbooks: string[];
  channels: string[];
  at: number;
}

export interface IncidentDetail {
  incident: IncidentView;
  /** Set when inhibition last held this incident's messages back. */
  inhibition: InhibitionView | null;
  detections: DetectionView[];
  evidence: EvidenceEvent[];
  /** Events counted (the incident's eventCount); `evidence` lists up to 500 of them. */
  evidenceTotal: number;
  comments: Comment[];
  enrichment: EnrichmentCard[];
  actions: ActionView[];
  /** Blocks proposed or run for this incident (guarded active response). */
  responses: ResponseView[];
  audit: AuditRow[];
  timeline: TimelineEntry[];
}

export async function getIncident(db: Kysely<Database>, id: string, responses?: ResponseService): Promise<IncidentDetail | null> {
  let incident: IncidentView;
  try {
    incident = await incidentView(db, id);
  } catch (err) {
    if (err instanceof TriageError && err.code === 'not_found') return null;
    throw err;
  }
  const dets = await detectionsOfIncident(db, id);
  const detections: DetectionView[] = dets.map((d) => ({
    id: d.id,
    ruleId: d.ruleId,
    ruleTitle: d.ruleTitle,
    level: d.level,
    time: d.time,
    firstTime: d.firstTime,
    group: d.group,
    count: d.count,
  }));
  const evidence = await evidenceFor(db, dets.flatMap((d) => d.eventIds));
  const enrichment: EnrichmentCard[] = (await enrichmentsForIncident(db, id)).map((l) => ({
    provider: l.provider,
    kind: l.indicator.kind,
    value: l.indicator.value,
    state: l.state,
    // 'unknown' is no verdict (GeoIP, reverse DNS and the agent inventory never give one): no badge for it.
    verdict: l.verdict && l.verdict !== 'unknown' ? l.verdict : null,
    summary: l.summary ?? null,
    link: l.link ?? null,
    country: text(l.data?.country ?? l.data?.countryCode),
    asn: text(l.data?.asn),
    asOrg: text(l.data?.asOrg ?? l.data?.asOwner ?? l.data?.isp),
    fetchedAt: l.fetchedAt ?? null,
    error: l.error ?? null,
  }));
  const comments = await commentsOf(db, id);
  const actions = (await listActions(db, { incidentId: id, limit: 500 })).sort((a, b) => a.id - b.id);
  const responseViews = responses ? await responses.list({ incidentId: id }) : [];
  // The trail: what was done to the incident, and to the blocks proposed for it (audited by address).
  const ids = new Set(responseViews.map((r) => r.id));
  const byAddress = await Promise.all([...new Set(responseViews.map((r) => r.address))].map((a) => auditFor(db, `ip:${a}`)));
  const trail = [...(await auditFor(db, `incident:${id}`)), ...byAddress.flat().filter((t) => ids.has(Number(t.details?.response)))].sort((a, b) => b.at - a.at || b.id - a.id);
  const timeline: TimelineEntry[] = [
    ...detections.map((d) => ({ at: d.time, kind: 'detection' as const, text: `${d.ruleTitle}: ${plural(d.count, 'event')}` })),
    ...actions.map((a) => ({ at: a.deliveredAt ?? a.createdAt, kind: 'action' as const, text: `${a.channel} ${a.state}` })),
    ...responseViews.map((r) => ({ at: r.createdAt, kind: 'action' as const, text: `block ${r.address}: ${r.state}${r.reason && r.state === 'refused' ? ` (${r.reason})` : ''}` })),
    ...trail
      .filter((t) => t.action !== 'incident.comment') // the comment itself stands in the timeline
      .map((t) => ({ at: t.at, kind: 'analyst' as const, actor: actorLabel(t.actor), text: `${t.action} by ${actorLabel(t.actor)}: ${t.result}` })),
    ...comments.map((c) => ({ at: c.at, kind: 'comment' as const, actor: actorLabel(c.author), text: c.text })),
  ].sort((a, b) => a.at - b.at);
  return { incident, inhibition: inhibitionOf(trail), detections, evidence, evidenceTotal: incident.eventCount, comments, enrichment, actions, responses: responseViews, audit: trail, timeline };
}

function inhibitionOf(trail: AuditRow[]): InhibitionView | null {
  const t = trail.find((r) => r.action === INHIBITED_ACTION);
  if (!t) return null;
  const d = (t.details ?? {}) as Record<string, any>;
  return {
    mode: t.result === 'folded' ? 'folded' : 'silenced',
    by: String(d.by ?? ''),
    title: String(d.title ?? ''),
    level: String(d.level ?? ''),
    shared: { kind: String(d.shared?.kind ?? ''), value: String(d.shared?.value ?? '') },
    change: String(d.change ?? ''),
    playbooks: Array.isArray(d.playbooks) ? d.playbooks.map(String) : [],
    channels: Array.isArray(d.channels) ? d.channels.map(String) : [],
    at: t.at,
  };
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}
