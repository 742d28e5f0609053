// SYNTHETIC notifications for channel tests: a brute-force detection built from the synthetic 4625 alerts in
// fixtures.ts, folded into an incident the way triage does.
import { buildNotification, type Notification } from '../../src/act/notification.js';
import type { OutboxItem } from '../../src/act/channel.js';
import type { Detection, Incident, IncidentChange } from '../../src/model/index.js';
import { toEvent } from '../../src/model/event.js';
import { burst } from './fixtures.js';

export const T0 = new Date('2026-11-21T10:00:00Z');

export function sampleDetection(ip = '203.0.113.7', user = 'administrator', n = 5): Detection {
  const events = burst(ip, n, T0, 30_000, user).map((a) => toEvent(a));
  return {
    id: `det-${ip}`,
    rule: { id: 'b1e5a2c7-0000-4000-8000-000000000001', title: 'Windows Brute Force From One Source Address', level: 'high', tags: ['attack.credential_access', 'attack.t1110'], author: 'Vigil (synthetic test)' },
    time: events[events.length - 1]!.time,
    firstTime: events[0]!.time,
    group: { IpAddress: ip },
    count: n,
    eventIds: events.map((e) => e.id),
    events,
  };
}

export function sampleIncident(ip = '203.0.113.7', revision = 1, over: Partial<Incident> = {}): Incident {
  return {
    id: `inc${ip.replace(/\W/g, '')}`,
    fingerprint: `fp-${ip}`,
    title: `Windows Brute Force From One Source Address — ${ip}`,
    status: 'open',
    level: 'high',
    ruleId: 'b1e5a2c7-0000-4000-8000-000000000001',
    entity: { IpAddress: ip },
    firstSeen: T0.getTime(),
    lastSeen: T0.getTime() + 120_000,
    detectionCount: 1,
    eventCount: 5,
    revision,
    createdAt: T0.getTime(),
    updatedAt: T0.getTime(),
    ...over,
  };
}

export function sampleNotification(o: { ip?: string; user?: string; revision?: number; change?: IncidentChange; level?: Incident['level'] } = {}): Notification {
  const ip = o.ip ?? '203.0.113.7';
  const incident = sampleIncident(ip, o.revision ?? 1, { level: o.level ?? 'high', status: o.change === 'resolved' ? 'resolved' : 'open' });
  return { ...buildNotification(incident, sampleDetection(ip, o.user)), change: o.change ?? 'opened' };
}

let ids = 0;
export function itemFor(channel: string, n: Notification, ref?: OutboxItem['ref']): OutboxItem<Notification> {
  return {
    id: ++ids,
    idempotencyKey: `${n.incident.id}:${channel}:${n.incident.revision}`,
    channel,
    incidentId: n.incident.id,
    attempts: 0,
    payload: n,
    ref,
  };
}
