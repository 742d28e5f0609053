// What triage adds to a notification: the severity score and its reasons, the summary, MITRE ATT&CK, linked
// incidents, the users targeted across the whole incident, counts and the analyst's state. Present when the
// incident handed to the act stage is a triage view (src/triage/queries.ts `incidentView`).
import type { Incident, IndicatorKind } from '../model/index.js';
import type { IncidentView } from '../triage/queries.js';
import type { IncidentLink, LoggedOn, MitreTechnique, Severity, Summary, Verdict } from '../triage/types.js';

export interface TriageFields {
  severity?: Severity;
  summary?: Summary;
  /** True while an LLM summary is being written: it follows as a `summary` update. */
  summaryPending?: boolean;
  mitre?: MitreTechnique[];
  linked?: IncidentLink[];
  /** Every user the incident's evidence names so far (the detection's own are in `users`). */
  targetedUsers?: string[];
  counts?: { detections: number; events: number };
  escalated?: boolean;
  /** The accounts that logged on (the 4624's user, from where, when): the ones to disable. */
  loggedOn?: LoggedOn[];
  verdict?: { verdict: Verdict; comment?: string; by?: string };
  resolution?: string;
  /** Who resolved it, when, and the words they gave (the resolve message says them). */
  resolved?: { by?: string; at?: number; comment?: string };
  /** Kinds of which the incident saw more values than it keeps (its lists of them say "N+ more"). */
  capped?: IndicatorKind[];
}

function isView(incident: Incident): incident is IncidentView {
  return 'severity' in incident && 'indicators' in incident;
}

export function triageFields(incident: Incident): TriageFields {
  if (!isView(incident)) return {};
  const v = incident;
  return {
    severity: v.severity,
    summary: v.summary,
    summaryPending: v.summaryState === 'pending',
    mitre: v.mitre,
    linked: v.links,
    targetedUsers: v.users ?? v.indicators.filter((i) => i.kind === 'user').map((i) => i.value),
    counts: { detections: v.detectionCount, events: v.eventCount },
    escalated: v.escalated,
    loggedOn: v.loggedOn?.length ? v.loggedOn : undefined,
    verdict: v.verdict ? { verdict: v.verdict, comment: v.verdictComment, by: v.verdictBy } : undefined,
    resolution: v.resolution,
    resolved: v.status === 'resolved' ? { by: v.resolvedBy, at: v.resolvedAt, comment: v.resolutionComment ?? v.verdictComment } : undefined,
    capped: v.indicatorsCapped?.length ? v.indicatorsCapped : undefined,
  };
}
