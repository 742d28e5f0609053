// The evidence row of one stored alert: the few fields an analyst scans, read from the raw body. Every value
// is attacker-influenced text and stays text: the dashboard renders it with textContent.
import type { Kysely } from 'kysely';
import { parseAlertJson } from '../../sources/ndjson.js';
import { alertsByEventIds } from '../../store/alerts.js';
import type { Database } from '../../store/schema.js';
import { alertViewOf, isWcsDocument } from '../../model/wcs.js';

export interface EvidenceEvent {
  id: string;
  time: number | null;
  agent: string | null;
  sourceIp: string | null;
  user: string | null;
  eventId: string | null;
  description: string | null;
  wazuhRule: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

export function evidenceOf(id: string, body: string): EvidenceEvent {
  let a: any;
  try {
    a = parseAlertJson(body);
    // A Wazuh 5.x finding (stored as its indexer hit, or bare) reads as the 4.x alert it stands for.
    const doc = a?._source && typeof a._id === 'string' ? a._source : a;
    if (doc && typeof doc === 'object' && isWcsDocument(doc)) a = alertViewOf(doc);
  } catch {
    return { id, time: null, agent: null, sourceIp: null, user: null, eventId: null, description: null, wazuhRule: null };
  }
  const win = a?.data?.win;
  const ed = win?.eventdata ?? a?.Event?.EventData ?? {};
  const ts = str(a?.timestamp) ?? str(win?.system?.systemTime);
  const t = ts ? Date.parse(ts.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
  return {
    id,
    time: Number.isFinite(t) ? t : null,
    agent: str(a?.agent?.name),
    sourceIp: str(ed.ipAddress) ?? str(ed.IpAddress) ?? str(a?.data?.srcip),
    user: str(ed.targetUserName) ?? str(ed.TargetUserName) ?? str(a?.data?.dstuser),
    eventId: str(win?.system?.eventID) ?? str(a?.Event?.System?.EventID),
    description: str(a?.rule?.description),
    wazuhRule: str(a?.rule?.id),
  };
}

/** The stored alerts behind the given event ids, oldest first. */
export async function evidenceFor(db: Kysely<Database>, eventIds: string[], limit = 500): Promise<EvidenceEvent[]> {
  const ids = [...new Set(eventIds)].slice(0, limit);
  if (ids.length === 0) return [];
  const out: EvidenceEvent[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    for (const r of await alertsByEventIds(db, ids.slice(i, i + 200))) out.push(evidenceOf(r.eventId, r.body));
  }
  return out.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}
