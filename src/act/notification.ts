// The snapshot an action carries: what people are told about an incident at one revision. It is stored in
// the outbox row, so a retry after a restart sends exactly what would have been sent the first time.
import type { Detection, EnrichmentLookup, Incident, IncidentChange, Level, RuleRef } from '../model/index.js';
import { distinct, evidenceRow, type EvidenceRow } from '../triage/evidence.js';
import { alertView } from '../model/wcs.js';
import { distinctFolded, type IncidentView } from '../triage/queries.js';
import { triageFields, type TriageFields } from './triage-fields.js';

export interface Notification extends TriageFields {
  kind: 'incident.opened';
  incident: Incident;
  rule: RuleRef;
  /** The detection that caused the change; `completedBy` is the event that made it fire. */
  detection: { id: string; time: number; firstTime: number; count: number; group: Record<string, string>; completedBy?: string };
  sourceIps: string[];
  users: string[];
  hosts: string[];
  /** The first evidence rows (a message lists a few); `evidenceTotal` says how many events were counted. */
  evidence: EvidenceRow[];
  evidenceTotal?: number;
  /** The incident's page in the dashboard. */
  incidentUrl?: string;
  /** Set by a playbook `notify` action with `comments: true`: the comment thread goes with the message. */
  includeComments?: boolean;
  comments?: { author: string; at: number; text: string }[];
  /** A forwarded Wazuh alert's `full_log`: what the agent logged (the payload of the attack, often). */
  fullLog?: string;
  /** What changed since people last heard; absent means the incident opened. */
  change?: IncidentChange;
  /** Set when enrichment verdicts raised the severity. */
  escalation?: { from: Level; to: Level; reasons: string[] };
  /** The lookups as they stood when the message went: answered, pending or failed. */
  enrichment?: EnrichmentLookup[];
  /** Pending blocks a reader may approve with a signed, single-use link. */
  approvals?: ApprovalLink[];
}

/** The update sent when verdicts raise an incident that people have already heard of. */
export function escalationNotification(previous: Notification, incident: Incident, escalation: { from: Level; to: Level; reasons: string[] }): Notification {
  return { ...previous, incident, change: 'escalated', escalation };
}

export function changeOf(n: Notification): IncidentChange {
  return n.change ?? 'opened';
}

export interface ApprovalLink {
  address: string;
  agents: string[];
  url: string;
  expiresAt: number;
}

/**
 * The message about an incident change as the pipeline knows it when it queues the action. Just before the
 * first attempt the outbox rebuilds it from the stored incident (src/pipeline/snapshot.ts); the counts, users
 * and hosts here are already the incident's (a triage view), not only this detection's.
 */
export function buildNotification(incident: Incident, d: Detection): Notification {
  const evidence = d.events.map(evidenceRow);
  const view = incident as Partial<IncidentView>;
  const held = (kind: string) => (view.indicators ?? []).filter((i) => i.kind === kind).map((i) => i.value);
  return {
    kind: 'incident.opened',
    incident,
    rule: d.rule,
    detection: { id: d.id, time: d.time, firstTime: d.firstTime, count: d.count, group: d.group, completedBy: d.eventIds.at(-1) },
    sourceIps: distinct([...Object.entries(d.group).filter(([k]) => /ip|address|src/i.test(k)).map(([, v]) => v), ...evidence.map((e) => e.sourceIp), ...held('ip')]),
    users: view.users ?? distinctFolded(evidence.map((e) => e.user).filter((u): u is string => !!u)),
    hosts: distinct([...evidence.map((e) => e.host), ...held('host')]),
    evidence,
    evidenceTotal: incident.eventCount,
    fullLog: fullLogOf(d),
    ...triageFields(incident),
  };
}

/** THE count of a message: every event the incident counted (the same figure in subject, facts and summary). */
export function eventTotal(n: Notification): number {
  return n.evidenceTotal ?? n.counts?.events ?? n.incident.eventCount ?? n.detection.count;
}

/** What the agent logged, for a forwarded Wazuh alert (the rest have their evidence rows). */
function fullLogOf(d: Detection): string | undefined {
  if (!(d.rule.tags.includes('wazuh.forward') || d.rule.tags.includes('wazuh.correlation')) || !d.events[0]) return undefined;
  const log = (alertView(d.events[0]) as { full_log?: unknown }).full_log;
  return typeof log === 'string' && log !== '' ? log : undefined;
}

/** The rule's description as the incident carries it (a forwarded alert's says which Wazuh rule it was). */
export function ruleDescriptionOf(n: Notification): string | undefined {
  return (n.incident as { rule?: { description?: string } }).rule?.description ?? n.rule.description;
}
