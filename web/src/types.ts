// The API's shapes as the dashboard reads them: inferred from the API's own JSON schemas
// (src/server/schemas.ts; type-only imports, erased by the build), so the dashboard and the API cannot disagree.
import type { FromSchema } from 'json-schema-to-ts';
import type {
  commentSchema,
  IncidentDetailView,
  IncidentView,
  OverviewView,
  pivotSchema,
  rawAlertSchema,
} from '../../src/server/schemas.js';

export type { ActionView, EnrichmentCardView as EnrichmentCard, ResponseView, RuleView, SuppressionView } from '../../src/server/schemas.js';
export type { BacktestView as Backtest, ProposalView as Proposal, QualityReportView as QualityReport, RuleQualityView as RuleQuality } from '../../src/server/schemas-tuning.js';
export type Incident = IncidentView;
export type IncidentDetail = IncidentDetailView;
export type Evidence = IncidentDetailView['evidence'][number];
export type TimelineItem = IncidentDetailView['timeline'][number];
export type Comment = FromSchema<typeof commentSchema>;
export type RawEvent = FromSchema<typeof rawAlertSchema>;
export type Pivot = FromSchema<typeof pivotSchema>;
export type Overview = OverviewView;
export type Counted = OverviewView['topSources'][number];
