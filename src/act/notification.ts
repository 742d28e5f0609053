// The snapshot an action carries: what people are told about an incident at one revision. It is stored in
// the outbox row, so a retry after a restart sends exactly what would have been sent the first time.
import type { Detection, EnrichmentLookup, Incident, IncidentChange, Level, RuleRef } from '../model/index.js';
import { distinct, evidenceRow, type EvidenceRow } from '../triage/evidence.js';
import { triageFields, type TriageFields } from './triage-fields.js';

export interface Notification extends TriageFields {
  kind: 'incident.opened';
  incident: Incident;
  rule: RuleRef;
  detection: { id: string; time: number; firstTime: number; count: number; group: Record<string, string> };
  sourceIps: string[];
  users: string[];
  hosts: string[];
  evidence: EvidenceRow[];
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

export function buildNotification(incident: Incident, d: Detection): Notification {
  const evidence = d.events.map(evidenceRow);
  return {
    kind: 'incident.opened',
    incident,
    rule: d.rule,
    detection: { id: d.id, time: d.time, firstTime: d.firstTime, count: d.count, group: d.group },
    sourceIps: distinct([...Object.entries(d.group).filter(([k]) => /ip|address|src/i.test(k)).map(([, v]) => v), ...evidence.map((e) => e.sourceIp)]),
    users: distinct(evidence.map((e) => e.user)),
    hosts: distinct(evidence.map((e) => e.host)),
    evidence,
    ...triageFields(incident),
  };
}
