// ServiceNow Table API: one incident record per Vigil incident, found again by correlation_id (the Vigil
// incident id), so a retry after a crash between creating and recording updates instead of duplicating. Later
// revisions add a work note; a resolution sets the resolved state with a close code.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { optionalUrl, whenEnabled } from '../../config/fragments.js';
import type { Channel, ExternalRef, OutboxItem } from '../channel.js';
import { changeOf, type Notification } from '../notification.js';
import { clip } from '../render/chat.js';
import { evidenceLine, facts, headline } from '../render/facts.js';
import { basicAuth, call } from './http.js';

export const servicenowSchema = componentSchema({
  /** https://your-instance.service-now.com */
  url: optionalUrl,
  user: z.string().default(''),
  password: z.string().default(''),
  /** Table API table, normally incident. */
  table: z.string().default('incident'),
  assignmentGroup: z.string().default(''),
  /** close_code set with the resolved state (must be one of the instance's close codes). */
  closeCode: z.string().default('Solution provided'),
  /** Extra fields set on create, e.g. { category: security }. */
  fields: z.record(z.string(), z.string()).default({}),
})
  .superRefine(whenEnabled('url', 'required when channels.servicenow.enabled is true', (c) => !c.url));

export type ServiceNowConfig = z.infer<typeof servicenowSchema>;

// ServiceNow's 1 (high) … 3 (low) scale for impact and urgency.
const SCALE: Record<string, string> = { critical: '1', high: '1', medium: '2', low: '3', informational: '3' };

export function serviceNowText(n: Notification): string {
  const lines = facts(n, 'UTC').map(([k, v]) => `${k}: ${v}`);
  const evidence = n.evidence.slice(0, 20).map((e) => `- ${new Date(e.time).toISOString()} ${evidenceLine(e, ' ')}`);
  return [headline(n), '', ...lines, '', 'Evidence:', ...evidence].join('\n');
}

export class ServiceNowChannel implements Channel {
  readonly name = 'servicenow';
  private readonly table: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly config: ServiceNowConfig) {
    this.table = `${config.url.replace(/\/+$/, '')}/api/now/table/${encodeURIComponent(config.table)}`;
    this.headers = { authorization: basicAuth(config.user, config.password) };
  }

  async send(item: OutboxItem<Notification>): Promise<ExternalRef> {
    const n = item.payload;
    const found = item.ref ?? (await this.find(item.incidentId));
    if (!found) return this.create(item, n);
    const update: Record<string, string> = { work_notes: clip(serviceNowText(n), 30_000) };
    if (changeOf(n) === 'resolved') Object.assign(update, { state: '6', close_code: this.config.closeCode, close_notes: clip(headline(n), 4000) });
    else update.urgency = SCALE[n.incident.level] ?? '2';
    await call(`${this.table}/${encodeURIComponent(found.externalId)}`, 'ServiceNow update', { method: 'PATCH', headers: this.headers, body: update });
    return found;
  }

  private async create(item: OutboxItem, n: Notification): Promise<ExternalRef> {
    const level = n.incident.level ?? n.rule.level;
    const res = await call(this.table, 'ServiceNow create', {
      headers: this.headers,
      body: {
        ...this.config.fields,
        short_description: clip(headline(n), 160),
        description: clip(serviceNowText(n), 30_000),
        impact: SCALE[level] ?? '2',
        urgency: SCALE[level] ?? '2',
        correlation_id: item.incidentId,
        correlation_display: 'Vigil',
        ...(this.config.assignmentGroup ? { assignment_group: this.config.assignmentGroup } : {}),
      },
    });
    return this.ref(res.json?.result);
  }

  private async find(incidentId: string): Promise<ExternalRef | undefined> {
    const q = new URLSearchParams({ sysparm_query: `correlation_id=${incidentId}`, sysparm_fields: 'sys_id,number', sysparm_limit: '1' });
    const res = await call(`${this.table}?${q}`, 'ServiceNow lookup', { headers: this.headers });
    const row = res.json?.result?.[0];
    return row ? this.ref(row) : undefined;
  }

  private ref(row: { sys_id?: string; number?: string } | undefined): ExternalRef {
    if (!row?.sys_id) throw new Error('ServiceNow answered without a sys_id');
    return { externalId: row.sys_id, url: `${this.config.url.replace(/\/+$/, '')}/nav_to.do?uri=${this.config.table}.do?sys_id=${row.sys_id}`, thread: row.number };
  }
}

export const servicenowChannel = defineComponent({
  name: 'servicenow',
  configSchema: servicenowSchema,
  create: (config: ServiceNowConfig, _deps: unknown) => new ServiceNowChannel(config),
});
