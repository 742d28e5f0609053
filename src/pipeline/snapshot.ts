// What a message says is what the incident is when the message goes. Just before an action's first attempt
// the outbox asks for its payload; this builds it from the stored incident — one count, the users, addresses
// and hosts of every counted event, the evidence (the first rows, and how many more), the summary rebuilt
// over the enrichment as it stands, the comments where the playbook asked for them — so the subject, the
// facts, the summary and the evidence agree with each other and with the dashboard. The result is stored:
// a retry sends exactly what the first attempt sent.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { OutboxItem } from '../act/channel.js';
import type { Notification } from '../act/notification.js';
import { isResponsePayload, type OutboxPayload } from '../act/payload.js';
import { triageFields } from '../act/triage-fields.js';
import { enrichmentsForIncident } from '../enrich/lookups.js';
import { verdictInputs } from './verdicts.js';
import type { EnrichmentLookup } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { commentsOf } from '../triage/comments.js';
import { evidenceRow, type EvidenceRow } from '../triage/evidence.js';
import { detectionsOf, incidentView, type IncidentView } from '../triage/queries.js';
import { patchIncident } from '../triage/record.js';
import { templateSummary } from '../triage/summary/template.js';
import { eventsFor } from './announce.js';

/** Evidence rows a message lists; the rest are counted ("and 995 more events"). */
export const MESSAGE_EVIDENCE_ROWS = 20;

export interface SnapshotOptions {
  /** The incident's page in the dashboard, for the link in messages. */
  incidentUrl?: (id: string) => string;
}

const valuesOf = (v: IncidentView, kind: string) => v.indicators.filter((i) => i.kind === kind).map((i) => i.value);

/**
 * A template summary rebuilt over what the incident holds now, with the enrichment verdicts as they stand
 * (the "Enrichment:" line never says "no verdicts yet" beside an answered lookup). An LLM's summary stays.
 */
export async function currentSummary(db: Kysely<Database>, view: IncidentView, lookups: EnrichmentLookup[], evidence: EvidenceRow[], now: number) {
  if (view.summary && view.summary.source !== 'template') return view.summary;
  const summary = templateSummary({ incident: { ...view, enrichments: verdictInputs(lookups) }, indicators: view.indicators, evidence }, now);
  const before = view.summary ? JSON.stringify({ ...view.summary, generatedAt: 0 }) : '';
  if (before !== JSON.stringify({ ...summary, generatedAt: 0 })) {
    await patchIncident(db, view.id, { summary_json: JSON.stringify(summary) });
  }
  return summary;
}

/** Rewrites a template summary over the incident and its lookups as they stand now. */
export async function refreshSummary(db: Kysely<Database>, incidentId: string, now: number): Promise<void> {
  const view = await incidentView(db, incidentId);
  await currentSummary(db, view, await enrichmentsForIncident(db, incidentId), await evidenceRows(db, incidentId, 5), now);
}

/** The incident's evidence as messages list it: the oldest rows up to the cap, and the total counted. */
export async function evidenceRows(db: Kysely<Database>, incidentId: string, max = MESSAGE_EVIDENCE_ROWS): Promise<EvidenceRow[]> {
  const ids = [...new Set((await detectionsOf(db, incidentId)).flatMap((d) => d.eventIds))];
  const rows = (await eventsFor(db, ids.slice(0, max), new Map())).map(evidenceRow);
  return rows.sort((a, b) => a.time - b.time);
}

export async function snapshot(db: Kysely<Database>, item: OutboxItem, options: SnapshotOptions = {}, now = systemClock()): Promise<OutboxPayload> {
  if (isResponsePayload(item.payload)) return item.payload; // a block or unblock carries no message
  const n = item.payload;
  let view: IncidentView;
  try {
    view = await incidentView(db, item.incidentId);
  } catch {
    return item.payload;
  }
  const evidence = await evidenceRows(db, view.id);
  const lookups = await enrichmentsForIncident(db, view.id);
  const summary = await currentSummary(db, view, lookups, evidence, now);
  const entityIps = Object.values(view.entity).filter((v) => valuesOf(view, 'ip').includes(v));
  const fresh: Notification = {
    ...n,
    ...triageFields({ ...view, summary } as IncidentView),
    incident: { ...view, summary, indicators: [], links: [] } as IncidentView, // the lists are in the fields above
    sourceIps: [...new Set([...entityIps, ...valuesOf(view, 'ip')])],
    users: view.users,
    hosts: valuesOf(view, 'host'),
    evidence,
    evidenceTotal: view.eventCount,
    enrichment: lookups,
    incidentUrl: options.incidentUrl?.(view.id),
    comments: n.includeComments ? (await commentsOf(db, view.id)).map((c) => ({ author: c.author, at: c.at, text: c.text })) : undefined,
  };
  return fresh;
}
