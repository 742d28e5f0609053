// A generic webhook: the notification as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>" so the
// receiver can check origin and freshness, and an Idempotency-Key header that is the same on every retry.
import { systemClock, type Clock } from '../../clock.js';
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { optionalUrl, whenEnabled } from '../../config/fragments.js';
import type { Channel, OutboxItem } from '../channel.js';
import { changeOf, type Notification } from '../notification.js';
import { call } from './http.js';

export const webhookSchema = componentSchema({
  url: optionalUrl,
  /** HMAC-SHA256 key for the X-Vigil-Signature header. Empty: unsigned. */
  secret: z.string().default(''),
  /** Extra request headers, e.g. an Authorization for the receiver. */
  headers: z.record(z.string(), z.string()).default({}),
})
  .superRefine(whenEnabled('url', 'required when channels.webhook.enabled is true', (c) => !c.url));

export type WebhookConfig = z.infer<typeof webhookSchema>;

export function sign(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export class WebhookChannel implements Channel {
  readonly name = 'webhook';

  constructor(
    private readonly config: WebhookConfig,
    private readonly clock: Clock = systemClock,
  ) {
  }

  async send(item: OutboxItem<Notification>): Promise<void> {
    const n = item.payload;
    const body = JSON.stringify({ event: `incident.${changeOf(n)}`, idempotencyKey: item.idempotencyKey, incident: n.incident, notification: n });
    const timestamp = String(Math.floor(this.clock() / 1000));
    const headers: Record<string, string> = { ...this.config.headers, 'idempotency-key': item.idempotencyKey, 'x-vigil-timestamp': timestamp };
    if (this.config.secret) headers['x-vigil-signature'] = sign(this.config.secret, timestamp, body);
    await call(this.config.url, 'webhook', { body, headers });
  }
}

export const webhookChannel = defineComponent({
  name: 'webhook',
  configSchema: webhookSchema,
  create: (config: WebhookConfig, deps: { clock?: Clock }) => new WebhookChannel(config, deps.clock),
});
