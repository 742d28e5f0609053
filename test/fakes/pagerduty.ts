// A fake PagerDuty Events API v2 (POST /v2/enqueue): checks routing_key (32 characters), event_action and,
// for triggers, payload.summary/source/severity; answers 202 {status:"success",message:"Event processed",
// dedup_key} or 400 {status:"invalid event",errors:[…]}. Alerts are kept by dedup_key, as PagerDuty does.
import { startFake, type RecordingFake } from './http.js';

export interface FakePagerDuty extends RecordingFake {
  alerts: Map<string, { status: 'triggered' | 'resolved'; events: any[] }>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export async function startPagerDuty(): Promise<FakePagerDuty> {
  const alerts: FakePagerDuty['alerts'] = new Map();
  const fake = await startFake((req) => {
    if (req.method !== 'POST' || req.path !== '/v2/enqueue') return { status: 404, text: 'not found' };
    const e = req.json ?? {};
    const errors: string[] = [];
    if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) errors.push('Length of \'routing_key\' is incorrect (should be 32 characters)');
    if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action)) errors.push("'event_action' is invalid");
    if (e.event_action === 'trigger') {
      if (!e.payload?.summary) errors.push("'payload.summary' is missing or blank");
      if (!e.payload?.source) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(e.payload?.severity)) errors.push("'payload.severity' is invalid");
    } else if (!e.dedup_key) errors.push("'dedup_key' is missing or blank");
    if (errors.length > 0) return { status: 400, json: { status: 'invalid event', message: 'Event object is invalid', errors } };
    const key = e.dedup_key ?? `generated-${alerts.size}`;
    const alert = alerts.get(key) ?? { status: 'triggered' as const, events: [] };
    alert.events.push(e);
    if (e.event_action === 'resolve') alert.status = 'resolved';
    else if (e.event_action === 'trigger') alert.status = 'triggered';
    alerts.set(key, alert);
    return { status: 202, json: { status: 'success', message: 'Event processed', dedup_key: key } };
  });
  return Object.assign(fake, { alerts });
}
