// Microsoft Teams through a workflow webhook ("When a Teams webhook request is received" → post card): an
// Adaptive Card in a message attachment. Values from events go into FactSet facts and TextBlocks with
// markdown escaped. Workflow webhooks return no message id, so updates arrive as new cards naming the change.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { optionalUrl, whenEnabled } from '../../config/fragments.js';
import type { Channel, OutboxItem } from '../channel.js';
import type { Notification } from '../notification.js';
import { clip, markdownEscape } from '../render/chat.js';
import { evidenceHeading, evidenceLine, facts, headline } from '../render/facts.js';
import { formatTime } from '../render/text.js';
import { call } from './http.js';

export const teamsSchema = componentSchema({
  /** The URL of a Teams workflow "When a Teams webhook request is received" (Post card in a chat or channel). */
  webhookUrl: optionalUrl,
  timezone: z.string().default('UTC'),
})
  .superRefine(whenEnabled('webhookUrl', 'required when channels.teams.enabled is true', (c) => !c.webhookUrl));

export type TeamsConfig = z.infer<typeof teamsSchema>;

export function adaptiveCard(n: Notification, timeZone: string): Record<string, unknown> {
  const colour = n.incident.level === 'critical' || n.incident.level === 'high' ? 'Attention' : n.incident.level === 'medium' ? 'Warning' : 'Accent';
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: markdownEscape(headline(n)), weight: 'Bolder', size: 'Medium', color: colour, wrap: true },
    { type: 'FactSet', facts: facts(n, timeZone).map(([title, value]) => ({ title: markdownEscape(title), value: markdownEscape(value) })) },
  ];
  if (n.evidence.length > 0) {
    body.push({ type: 'TextBlock', text: `${evidenceHeading(n, Math.min(10, n.evidence.length)).title}`, weight: 'Bolder', wrap: true });
    for (const e of n.evidence.slice(0, 10)) {
      const line = `${formatTime(e.time, timeZone)}  ${evidenceLine(e)}`;
      body.push({ type: 'TextBlock', text: clip(markdownEscape(line), 1000), wrap: true, spacing: 'None', fontType: 'Monospace', size: 'Small' });
    }
  }
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    actions: (n.approvals ?? []).slice(0, 5).map((a) => ({ type: 'Action.OpenUrl', title: `Review block of ${a.address}`, url: a.url, style: 'destructive' })),
  };
}

export class TeamsChannel implements Channel {
  readonly name = 'teams';

  constructor(private readonly config: TeamsConfig) {
  }

  async send(item: OutboxItem<Notification>): Promise<void> {
    const n = item.payload;
    await call(this.config.webhookUrl, 'Teams workflow', {
      body: {
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(n, this.config.timezone) }],
      },
    });
  }
}

export const teamsChannel = defineComponent({
  name: 'teams',
  configSchema: teamsSchema,
  create: (config: TeamsConfig, _deps: unknown) => new TeamsChannel(config),
});
