// Pivot: from one indicator (an address, a user, a host, a hash …) to every incident that holds it and every
// stored alert that carries it, as far back as the alerts are kept. Users compare case-insensitively, as the
// correlations do; everything else exactly, on a whole field value (10.0.0.1 never finds 10.0.0.12).
import type { Kysely } from 'kysely';
import type { IndicatorKind } from '../../model/index.js';
import { scanAlerts } from '../../store/alerts.js';
import type { Database } from '../../store/schema.js';
import { eventIdsOfIncidents } from '../../triage/detections.js';
import { incidentsHolding } from '../../triage/queries.js';
import type { IncidentRecord } from '../../triage/types.js';
import { evidenceOf, type EvidenceEvent } from './evidence.js';

/** Stored alerts one pivot reads at most, newest first, and per page. */
export const MAX_SCAN = 100_000;
const SCAN_PAGE = 2_000;

export interface PivotResult {
  indicator: { kind: IndicatorKind | null; value: string };
  incidents: { items: IncidentRecord[]; total: number };
  events: { items: (EvidenceEvent & { incidentIds: string[] })[]; total: number; scanned: number; complete: boolean };
  /** When the oldest alert the search read arrived: "searched back to …". */
  retention: { since: number | null };
}

/** True when some string (or number) in `v`, at any depth, equals `want` (already folded when `fold`). */
function holds(v: unknown, want: string, fold: boolean, depth = 0): boolean {
  if (depth > 12) return false;
  if (typeof v === 'string') return (fold ? v.toLowerCase() : v) === want;
  if (typeof v === 'number') return String(v) === want;
  if (Array.isArray(v)) return v.some((x) => holds(x, want, fold, depth + 1));
  if (v && typeof v === 'object') return Object.values(v).some((x) => holds(x, want, fold, depth + 1));
  return false;
}

export async function pivot(db: Kysely<Database>, value: string, kind: IndicatorKind | undefined, limit = 50): Promise<PivotResult> {
  const fold = kind === undefined || kind === 'user';
  const want = fold ? value.toLowerCase() : value;
  const { total, incidents } = await incidentsHolding(db, value, kind, limit);

  // Which of these incidents counted each event: the events' link back to their incidents.
  const owners = new Map<string, string[]>();
  if (incidents.length > 0) {
    for (const d of await eventIdsOfIncidents(db, incidents.map((i) => i.id)))
      for (const id of d.eventIds) owners.set(id, [...new Set([...(owners.get(id) ?? []), d.incidentId])]);
  }

  // Newest first, in pages, up to MAX_SCAN stored alerts: a text test on the raw line first (cheap), then a
  // check of the parsed alert's fields (exact). The store decides how bodies are kept; it hands out text.
  const needle = JSON.stringify(fold ? want : value).slice(1, -1);
  const test = fold ? (body: string) => body.toLowerCase().includes(needle) : (body: string) => body.includes(needle);
  const items: (EvidenceEvent & { incidentIds: string[] })[] = [];
  let scanned = 0;
  let beforeSeq: number | undefined;
  let exhausted = false;
  let oldest: number | null = null;
  while (items.length < limit && scanned < MAX_SCAN) {
    const page = await scanAlerts(db, { beforeSeq, limit: Math.min(SCAN_PAGE, MAX_SCAN - scanned) });
    if (page.length === 0) {
      exhausted = true;
      break;
    }
    scanned += page.length;
    beforeSeq = page[page.length - 1]!.seq;
    oldest = page[page.length - 1]!.receivedAt;
    for (const a of page) {
      if (items.length >= limit) break;
      if (!test(a.body)) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(a.body);
      } catch {
        continue;
      }
      if (holds(parsed, want, fold)) items.push({ ...evidenceOf(a.eventId, a.body, a.format), incidentIds: owners.get(a.eventId) ?? [] });
    }
    if (page.length < SCAN_PAGE) exhausted = true;
    if (exhausted) break;
  }
  const complete = exhausted && items.length < limit;
  return {
    indicator: { kind: kind ?? null, value },
    incidents: { items: incidents, total },
    events: { items, total: items.length, scanned, complete },
    retention: { since: oldest },
  };
}
