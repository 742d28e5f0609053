// PagerDuty Events API v2. The dedup_key is the incident's, so every revision lands on one PagerDuty alert:
// a retry or an escalation triggers the same alert again (PagerDuty deduplicates), a resolution resolves it.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { httpsUrl, whenEnabled } from '../../config/fragments.js';
import type { Channel, ExternalRef, OutboxItem } from '../channel.js';
import { changeOf, eventTotal, type Notification } from '../notification.js';
import { clip } from '../render/chat.js';
import { headline, urgency } from '../render/facts.js';
import { call } from './http.js';

export const pagerdutySchema = componentSchema({
  /** Integration (routing) key of an Events API v2 integration on a service. */
  routingKey: z.string().default(''),
  url: httpsUrl.default('https://events.pagerduty.com/v2/enqueue'),
})
  .superRefine(whenEnabled('routingKey', 'required when channels.pagerduty.enabled is true', (c) => !c.routingKey));

export type PagerDutyConfig = z.infer<typeof pagerdutySchema>;

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
            timestamp: new Date(n.incident.lastSeen ?? n.detection.time).toISOString(),
            component: n.hosts.join(', ') || undefined,
            group: n.rule.id,
            class: n.rule.tags.find((t) => t.startsWith('attack.')) ?? 'security',
            custom_details: {
              incident: n.incident.id,
              rule: `${n.rule.title} (${n.rule.id})`,
              source_ips: n.sourceIps,
              users: n.users,
              hosts: n.hosts,
              count: eventTotal(n),
              change: changeOf(n),
            },
          },
        }),
  };
}

export class PagerDutyChannel implements Channel {
  readonly name = 'pagerduty';

  constructor(private readonly config: PagerDutyConfig) {
  }

  async send(item: OutboxItem<Notification>): Promise<ExternalRef> {
    const n = item.payload;
    const res = await call(this.config.url, 'PagerDuty Events', { body: pagerDutyEvent(n, this.config.routingKey) });
    return { externalId: String(res.json?.dedup_key ?? dedupKey(n.incident.id)) };
  }
}

export const pagerdutyChannel = defineComponent({
  name: 'pagerduty',
  configSchema: pagerdutySchema,
  create: (config: PagerDutyConfig, _deps: unknown) => new PagerDutyChannel(config),
});
