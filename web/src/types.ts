// The API's shapes as the dashboard reads them: the server's own types (type-only imports, erased by the build).
import type { IncidentRecord } from '../../src/triage/types.js';
import type { EvidenceEvent } from '../../src/server/queries/evidence.js';
import type { IncidentDetail as ServerIncidentDetail } from '../../src/server/queries/incidents.js';
export type { ActionView } from '../../src/act/admin.js';
export type { ResponseView } from '../../src/act/response/service.js';
export type { EnrichmentCard } from '../../src/server/queries/incidents.js';
export type { Overview } from '../../src/server/queries/overview.js';

/** What the queue and the incident show beside the stored record (the issue-12 API contract). */
interface Shown {
  /** The rule's human title (a forwarded Wazuh alert: Wazuh's rule.description); the UUID is never shown. */
  ruleTitle?: string;
  users?: string[];
}
export type Incident = IncidentRecord & Shown;

export type Evidence = EvidenceEvent & { host?: string | null; status?: string | null; rawUrl?: string };

export interface Comment {
  id: number;
  incidentId: string;
  author: string;
  at: number;
  text: string;
}

export interface TimelineItem {
  at: number;
  kind: 'detection' | 'action' | 'analyst' | 'comment' | 'response';
  text: string;
  actor?: string;
}

export type IncidentDetail = Omit<ServerIncidentDetail, 'incident' | 'evidence' | 'timeline'> & {
  incident: ServerIncidentDetail['incident'] & Shown;
  evidence: Evidence[];
  evidenceTotal?: number;
  comments?: Comment[];
  timeline: TimelineItem[];
};

/** GET /events/raw?id=: the stored alert behind an evidence row. */
export interface RawEvent {
  id: string;
  receivedAt: number;
  source: string;
  format: string;
  alert: unknown;
  pretty: string;
}

/** GET /pivot?value=: every incident and stored event that holds one indicator. */
export interface Pivot {
  indicator: { kind: string | null; value: string };
  incidents: { items: Incident[]; total: number };
  events: { items: (Evidence & { incidentIds: string[] })[]; total: number; scanned: number; complete: boolean };
  retention: { since: number | null };
}

export type Counted = { value: string; count: number };

export interface RuleView {
  id: string;
  title: string;
  level: string;
  kind: string;
  description?: string;
  mode: 'enabled' | 'disabled' | 'shadow';
  shadowHits: number;
  detections: number;
  updatedBy?: string;
}
