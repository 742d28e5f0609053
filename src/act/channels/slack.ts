// Slack: Block Kit over an incoming webhook, or over chat.postMessage with a bot token so that later
// revisions reply in the incident's thread. Values from events sit in plain_text objects (never parsed as
// markup); the mrkdwn fallback text is escaped. With a bot token, each message carries its idempotency key
// as message metadata, and a retry first looks for it in the channel (or thread): a crash between posting
// and recording does not post twice.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { httpsUrl, optionalUrl, whenEnabled } from '../../config/fragments.js';
import { PermanentError, type Channel, type ExternalRef, type OutboxItem } from '../channel.js';
import { changeOf, type Notification } from '../notification.js';
import { clip, slackEscape } from '../render/chat.js';
import { evidenceHeading, evidenceLine, facts, headline } from '../render/facts.js';
import { formatTime } from '../render/text.js';
import { call } from './http.js';

export const slackSchema = componentSchema({
  /** Incoming webhook URL (https://hooks.slack.com/services/…). Messages cannot be threaded this way. */
  webhookUrl: optionalUrl,
  /** Bot token (xoxb-…) and channel id: chat.postMessage, so updates reply in the incident's thread. */
  token: z.string().default(''),
  channel: z.string().default(''),
  /** Web API base, for a proxy or a test double. */
  apiUrl: httpsUrl.default('https://slack.com/api'),
  timezone: z.string().default('UTC'),
})
  .superRefine(whenEnabled('webhookUrl', 'set webhookUrl, or token and channel, when channels.slack.enabled is true', (c) => !c.webhookUrl && !(c.token && c.channel)));

export type SlackConfig = z.infer<typeof slackSchema>;

const plain = (text: string) => ({ type: 'plain_text', text: clip(text || ' ', 2000), emoji: false });

export function slackBlocks(n: Notification, timeZone: string): Record<string, unknown>[] {
  const list = facts(n, timeZone);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(clip(headline(n), 150)) },
    // A section takes at most 10 fields.
    { type: 'section', fields: list.slice(0, 10).map(([k, v]) => plain(`${k}: ${v}`)) },
  ];
  if (n.evidence.length > 0) {
    const lines = n.evidence
      .slice(0, 10)
      .map((e) => `${formatTime(e.time, timeZone)}  ${evidenceLine(e)}`);
    blocks.push({ type: 'section', text: plain(`${evidenceHeading(n, Math.min(10, n.evidence.length)).title}\n${lines.join('\n')}`) });
  }
  const approvals = n.approvals ?? [];
  if (approvals.length > 0) {
    blocks.push({
      type: 'actions',
      elements: approvals.slice(0, 5).map((a, i) => ({
        type: 'button',
        action_id: `vigil-approval-${i}`,
        style: 'danger',
        text: plain(clip(`Review block of ${a.address}`, 75)),
        url: a.url,
      })),
    });
  }
  blocks.push({ type: 'context', elements: [plain(`Vigil · incident ${n.incident.id} · times in ${timeZone}`)] });
  return blocks;
}

export class SlackChannel implements Channel {
  readonly name = 'slack';

  constructor(private readonly config: SlackConfig) {
  }

  async send(item: OutboxItem<Notification>): Promise<ExternalRef | void> {
    const n = item.payload;
    const text = slackEscape(headline(n));
    const blocks = slackBlocks(n, this.config.timezone);
    if (!this.config.token) {
      // Incoming webhooks answer "ok" and nothing else: no message id, so no threading and no lookup.
      await call(this.config.webhookUrl, 'Slack webhook', { body: { text, blocks } });
      return;
    }
    const thread = changeOf(n) === 'opened' ? undefined : item.ref?.thread;
    const found = await this.findPosted(item.idempotencyKey, thread);
    if (found) return thread ? item.ref : { externalId: found, thread: found };
    const res = await this.api('chat.postMessage', {
      channel: this.config.channel,
      text,
      blocks,
      ...(thread ? { thread_ts: thread, reply_broadcast: changeOf(n) === 'resolved' || changeOf(n) === 'escalated' } : {}),
      unfurl_links: false,
      metadata: { event_type: 'vigil_incident', event_payload: { key: item.idempotencyKey, incident: item.incidentId } },
    });
    const ts = String(res.ts);
    return thread ? item.ref : { externalId: ts, thread: ts };
  }

  /** The ts of a message this key already posted, in the channel's recent history or the thread. */
  private async findPosted(key: string, thread?: string): Promise<string | undefined> {
    const params = new URLSearchParams({ channel: this.config.channel, limit: '100', include_all_metadata: 'true' });
    if (thread) params.set('ts', thread);
    const res = await this.api(thread ? 'conversations.replies' : 'conversations.history', params);
    const messages = (res.messages ?? []) as { ts: string; metadata?: { event_payload?: { key?: string } } }[];
    return messages.find((m) => m.metadata?.event_payload?.key === key)?.ts;
  }

  private async api(method: string, body: Record<string, unknown> | URLSearchParams): Promise<any> {
    const url = `${this.config.apiUrl.replace(/\/+$/, '')}/${method}`;
    const auth = { authorization: `Bearer ${this.config.token}` };
    const res =
      body instanceof URLSearchParams
        ? await call(`${url}?${body}`, `Slack ${method}`, { headers: auth })
        : await call(url, `Slack ${method}`, { headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body });
    // The Web API answers 200 with ok:false for its errors.
    if (res.json?.ok !== true) {
      const error = String(res.json?.error ?? 'no answer');
      const permanent = ['invalid_auth', 'not_authed', 'channel_not_found', 'not_in_channel', 'invalid_blocks', 'account_inactive', 'missing_scope'];
      const message = `Slack ${method}: ${error}`;
      throw permanent.includes(error) ? new PermanentError(message) : new Error(message);
    }
    return res.json;
  }
}

export const slackChannel = defineComponent({
  name: 'slack',
  configSchema: slackSchema,
  create: (config: SlackConfig, _deps: unknown) => new SlackChannel(config),
});
