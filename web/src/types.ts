// The API's shapes as the dashboard reads them: the server's own types (type-only imports, erased by the build).
export type { IncidentRecord as Incident } from '../../src/triage/types.js';
export type { EvidenceEvent as Evidence } from '../../src/server/queries/evidence.js';
export type { ActionView } from '../../src/act/admin.js';
export type { ResponseView } from '../../src/act/response/service.js';
export type { EnrichmentCard, IncidentDetail } from '../../src/server/queries/incidents.js';
export type { Overview } from '../../src/server/queries/overview.js';

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
