// TheHive 5: one alert per incident with a deterministic sourceRef (vigil-<incident>), observables for its
// addresses, users and hosts (deduplicated: TheHive rejects an alert whose observables repeat a value).
// Before creating, the alert is looked up by sourceRef; later revisions update it instead of adding another.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { optionalUrl, whenEnabled } from '../../config/fragments.js';
import type { Channel, ExternalRef, OutboxItem } from '../channel.js';
import { changeOf, type Notification } from '../notification.js';
import { clip } from '../render/chat.js';
import { evidenceLine, facts, headline } from '../render/facts.js';
import { call } from './http.js';

export const thehiveSchema = componentSchema({
  /** https://thehive.example.org (TheHive 5) */
  url: optionalUrl,
  apiKey: z.string().default(''),
  /** Organisation to act in (X-Organisation header); empty: the key's default. */
  organisation: z.string().default(''),
  /** TLP and PAP of created alerts, 0 (white/clear) to 4 (red). */
  tlp: z.number().int().min(0).max(4).default(2),
  pap: z.number().int().min(0).max(3).default(2),
})
  .superRefine(whenEnabled('url', 'required when channels.thehive.enabled is true', (c) => !c.url))
  .superRefine(whenEnabled('apiKey', 'required when channels.thehive.enabled is true', (c) => !c.apiKey));

export type TheHiveConfig = z.infer<typeof thehiveSchema>;

const SEVERITY: Record<string, number> = { informational: 1, low: 1, medium: 2, high: 3, critical: 4 };

export const sourceRef = (incidentId: string) => `vigil-${incidentId}`;

export function observables(n: Notification): { dataType: string; data: string; tags?: string[] }[] {
  const seen = new Set<string>();
  const out: { dataType: string; data: string; tags?: string[] }[] = [];
  const add = (dataType: string, data: string, tags?: string[]) => {
    const k = `${dataType}\u0000${data}`;
    if (!data || seen.has(k)) return;
    seen.add(k);
    out.push({ dataType, data, ...(tags ? { tags } : {}) });
  };
  for (const ip of n.sourceIps) add('ip', ip, ['vigil:source']);
  for (const u of n.users) add('other', u, ['vigil:user']);
  for (const h of n.hosts) add('hostname', h, ['vigil:host']);
  return out;
}

export function theHiveDescription(n: Notification): string {
  // TheHive renders markdown; values from events are fenced as code so they cannot become markup or links.
  const fence = (v: string) => '`` ' + v.replace(/`/g, "'") + ' ``';
  const lines = facts(n, 'UTC').map(([k, v]) => `- **${k}**: ${fence(v)}`);
  const evidence = n.evidence.slice(0, 20).map((e) => `- ${fence(`${new Date(e.time).toISOString()} ${evidenceLine(e, ' ')}`)}`);
  return clip([`### ${fence(headline(n))}`, '', ...lines, '', '**Evidence**', ...evidence].join('\n'), 60_000);
}

export class TheHiveChannel implements Channel {
  readonly name = 'thehive';
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly config: TheHiveConfig) {
    this.base = `${config.url.replace(/\/+$/, '')}/api/v1`;
    this.headers = { authorization: `Bearer ${config.apiKey}`, ...(config.organisation ? { 'x-organisation': config.organisation } : {}) };
  }

  async send(item: OutboxItem<Notification>): Promise<ExternalRef> {
    const n = item.payload;
    const id = item.ref?.externalId ?? (await this.find(item.incidentId));
    const tags = ['vigil', `rule:${n.rule.id}`, ...n.rule.tags, ...(changeOf(n) === 'resolved' ? ['vigil:resolved'] : [])];
    if (!id) {
      const res = await call(`${this.base}/alert`, 'TheHive create alert', {
        headers: this.headers,
        body: {
          type: 'vigil',
          source: 'vigil',
          sourceRef: sourceRef(item.incidentId),
          title: clip(headline(n), 512),
          description: theHiveDescription(n),
          severity: SEVERITY[n.incident.level] ?? 2,
          date: n.detection.firstTime,
          tags,
          tlp: this.config.tlp,
          pap: this.config.pap,
          observables: observables(n),
        },
      });
      return { externalId: String(res.json?._id) };
    }
    await call(`${this.base}/alert/${encodeURIComponent(id)}`, 'TheHive update alert', {
      method: 'PATCH',
      headers: this.headers,
      body: { title: clip(headline(n), 512), description: theHiveDescription(n), severity: SEVERITY[n.incident.level] ?? 2, tags },
    });
    return { externalId: id };
  }

  private async find(incidentId: string): Promise<string | undefined> {
    const res = await call(`${this.base}/query?name=vigil-find-alert`, 'TheHive query', {
      headers: this.headers,
      body: {
        query: [
          { _name: 'listAlert' },
          { _name: 'filter', _and: [{ _eq: { _field: 'source', _value: 'vigil' } }, { _eq: { _field: 'sourceRef', _value: sourceRef(incidentId) } }] },
          { _name: 'page', from: 0, to: 1 },
        ],
      },
    });
    const alert = Array.isArray(res.json) ? res.json[0] : undefined;
    return alert?._id ? String(alert._id) : undefined;
  }
}

export const thehiveChannel = defineComponent({
  name: 'thehive',
  configSchema: thehiveSchema,
  create: (config: TheHiveConfig, _deps: unknown) => new TheHiveChannel(config),
});
