// The evidence rows of stored alerts for the API and the dashboard: the same fields the mails show
// (triage/evidence.ts reads them once for every reader), plus where the raw alert is. Every value is
// attacker-influenced text and stays text: the dashboard renders it with textContent.
import type { Kysely } from 'kysely';
import type { Event } from '../../model/index.js';
import { alertView } from '../../model/wcs.js';
import { readRecordedAlert } from '../../sources/ndjson.js';
import { alertsByEventIds } from '../../store/alerts.js';
import type { Database } from '../../store/schema.js';
import { evidenceRow } from '../../triage/evidence.js';

export interface EvidenceEvent {
  id: string;
  time: number | null;
  agent: string | null;
  host: string | null;
  sourceIp: string | null;
  user: string | null;
  /** The Windows event id (4625 …). */
  eventId: string | null;
  /** Why a logon failed, in words (`bad password`). */
  status: string | null;
  description: string | null;
  wazuhRule: string | null;
  /** The stored alert as formatted JSON: GET this (the API's /api/v1/events/raw). */
  rawUrl: string;
}

export const rawUrlOf = (id: string) => `/api/v1/events/raw?id=${encodeURIComponent(id)}`;

export function evidenceOf(id: string, body: string, format?: string): EvidenceEvent {
  let event: Event;
  try {
    event = readRecordedAlert(body, format ?? 'wazuh');
  } catch {
    return { id, time: null, agent: null, host: null, sourceIp: null, user: null, eventId: null, status: null, description: null, wazuhRule: null, rawUrl: rawUrlOf(id) };
  }
  const r = evidenceRow(event);
  const agent = (alertView(event) as { agent?: { name?: unknown } }).agent?.name;
  return {
    id,
    time: event.time || null,
    agent: typeof agent === 'string' ? agent : null,
    host: r.host ?? null,
    sourceIp: r.sourceIp ?? null,
    user: r.user ?? null,
    eventId: r.windowsEventId ?? null,
    status: r.status ?? null,
    description: r.description ?? r.detail ?? null,
    wazuhRule: r.wazuhRule ?? null,
    rawUrl: rawUrlOf(id),
  };
}

/** The stored alerts behind the given event ids, oldest first, at most `limit`. */
export async function evidenceFor(db: Kysely<Database>, eventIds: string[], limit = 500): Promise<EvidenceEvent[]> {
  const ids = [...new Set(eventIds)].slice(0, limit);
  const out = new Map<string, EvidenceEvent>();
  for (let i = 0; i < ids.length; i += 200)
    for (const a of await alertsByEventIds(db, ids.slice(i, i + 200))) if (!out.has(a.eventId)) out.set(a.eventId, evidenceOf(a.eventId, a.body, a.format));
  return [...out.values()].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}
