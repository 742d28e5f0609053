// PagerDuty Events API v2. The dedup_key is the incident's, so every revision lands on one PagerDuty alert:
// a retry or an escalation triggers the same alert again (PagerDuty deduplicates), a resolution resolves it.
import type { PagerDutyConfig } from '../../config/schema.js';
import type { Channel, ExternalRef, OutboxItem } from '../channel.js';
import { changeOf, type Notification } from '../notification.js';
import { clip } from '../render/chat.js';
import { headline, urgency } from '../render/facts.js';
import { call } from './http.js';

export function dedupKey(incidentId: string): string {
  return `vigil-${incidentId}`;
}

export function pagerDutyEvent(n: Notification, routingKey: string): Record<string, unknown> {
  const resolved = changeOf(n) === 'resolved';
  return {
    routing_key: routingKey,
    event_action: resolved ? 'resolve' : 'trigger',
    dedup_key: dedupKey(n.incident.id),
    ...(resolved
      ? {}
      : {
          payload: {
            summary: clip(headline(n), 1024),
            source: n.hosts[0] ?? n.sourceIps[0] ?? 'vigil',
            severity: urgency(n.incident.level ?? n.rule.level),
            timestamp: new Date(n.detection.time).toISOString(),
            component: n.hosts.join(', ') || undefined,
            group: n.rule.id,
            class: n.rule.tags.find((t) => t.startsWith('attack.')) ?? 'security',
            custom_details: {
              incident: n.incident.id,
              rule: `${n.rule.title} (${n.rule.id})`,
              source_ips: n.sourceIps,
              users: n.users,
              hosts: n.hosts,
              count: n.detection.count,
              change: changeOf(n),
            },
          },
        }),
  };
}

export class PagerDutyChannel implements Channel {
  readonly name = 'pagerduty';

  constructor(private readonly config: PagerDutyConfig) {
    if (!config.routingKey) throw new Error('channels.pagerduty: set routingKey');
  }

  async send(item: OutboxItem): Promise<ExternalRef> {
    const n = item.payload as unknown as Notification;
    const res = await call(this.config.url, 'PagerDuty Events', { body: pagerDutyEvent(n, this.config.routingKey) });
    return { externalId: String(res.json?.dedup_key ?? dedupKey(n.incident.id)) };
  }
}
