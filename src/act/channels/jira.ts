// Jira Cloud, REST v3: one issue per incident (labelled vigil-<incident>), a comment for every later revision,
// an optional transition when it resolves. Before creating, the issue is looked up by its label; before
// commenting, the comments are searched for the revision's marker — a retry after a crash between the call
// and its record finds what it did instead of doing it twice.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { optionalUrl, whenEnabled } from '../../config/fragments.js';
import type { Channel, ExternalRef, OutboxItem } from '../channel.js';
import { changeOf, type Notification } from '../notification.js';
import { adfDocument } from '../render/adf.js';
import { clip } from '../render/chat.js';
import { headline } from '../render/facts.js';
import { basicAuth, call } from './http.js';

export const jiraSchema = componentSchema({
  /** https://your-site.atlassian.net */
  url: optionalUrl,
  /** Atlassian account email and API token (basic auth). */
  user: z.string().default(''),
  token: z.string().default(''),
  project: z.string().default(''),
  issueType: z.string().default('Task'),
  /** Labels added to every issue, besides the incident's own `vigil-<id>` label used to find it again. */
  labels: z.array(z.string()).default(['vigil']),
  /** Transition name applied when the incident resolves (empty: comment only). */
  resolveTransition: z.string().default(''),
})
  .superRefine(whenEnabled('url', 'required when channels.jira.enabled is true', (c) => !c.url))
  .superRefine(whenEnabled('project', 'required when channels.jira.enabled is true', (c) => !c.project));

export type JiraConfig = z.infer<typeof jiraSchema>;

export const jiraLabel = (incidentId: string) => `vigil-${incidentId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const marker = (key: string) => `vigil:${key}`;

export class JiraChannel implements Channel {
  readonly name = 'jira';
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly config: JiraConfig) {
    this.base = config.url.replace(/\/+$/, '');
    this.headers = { authorization: basicAuth(config.user, config.token) };
  }

  async send(item: OutboxItem<Notification>): Promise<ExternalRef> {
    const n = item.payload;
    const doc = adfDocument(n, 'UTC', marker(item.idempotencyKey));
    const key = item.ref?.externalId ?? (await this.findIssue(item.incidentId));
    if (!key) return this.create(item, n, doc);
    // Found by lookup rather than by our record: the create itself may have been this very revision.
    const done = (!item.ref && (await this.describedBy(key, item.idempotencyKey))) || (await this.commented(key, item.idempotencyKey));
    if (!done) {
      await call(`${this.base}/rest/api/3/issue/${encodeURIComponent(key)}/comment`, 'Jira comment', { headers: this.headers, body: { body: doc } });
    }
    if (changeOf(n) === 'resolved' && this.config.resolveTransition) await this.transition(key, this.config.resolveTransition);
    return { externalId: key, url: `${this.base}/browse/${key}` };
  }

  private async create(item: OutboxItem, n: Notification, doc: Record<string, unknown>): Promise<ExternalRef> {
    const res = await call(`${this.base}/rest/api/3/issue`, 'Jira create issue', {
      headers: this.headers,
      body: {
        fields: {
          project: { key: this.config.project },
          issuetype: { name: this.config.issueType },
          // The summary is a single line of at most 255 characters.
          summary: clip(headline(n).replace(/[\r\n]+/g, ' '), 255),
          labels: [...this.config.labels, jiraLabel(item.incidentId)],
          description: doc,
        },
      },
    });
    const key = String(res.json?.key);
    return { externalId: key, url: `${this.base}/browse/${key}` };
  }

  private async findIssue(incidentId: string): Promise<string | undefined> {
    const jql = `project = "${this.config.project.replace(/["\\]/g, '')}" AND labels = "${jiraLabel(incidentId)}" ORDER BY created ASC`;
    const res = await call(`${this.base}/rest/api/3/search/jql`, 'Jira search', { headers: this.headers, body: { jql, fields: ['key'], maxResults: 1 } });
    const issue = res.json?.issues?.[0];
    return issue ? String(issue.key) : undefined;
  }

  private async describedBy(key: string, idempotencyKey: string): Promise<boolean> {
    const res = await call(`${this.base}/rest/api/3/issue/${encodeURIComponent(key)}?fields=description`, 'Jira issue', { headers: this.headers });
    return JSON.stringify(res.json?.fields?.description ?? '').includes(JSON.stringify(marker(idempotencyKey)));
  }

  private async commented(key: string, idempotencyKey: string): Promise<boolean> {
    const res = await call(`${this.base}/rest/api/3/issue/${encodeURIComponent(key)}/comment?maxResults=100&orderBy=-created`, 'Jira comments', {
      headers: this.headers,
    });
    const needle = JSON.stringify(marker(idempotencyKey));
    return ((res.json?.comments ?? []) as unknown[]).some((c) => JSON.stringify((c as { body?: unknown }).body ?? '').includes(needle));
  }

  private async transition(key: string, name: string): Promise<void> {
    const url = `${this.base}/rest/api/3/issue/${encodeURIComponent(key)}/transitions`;
    const res = await call(url, 'Jira transitions', { headers: this.headers });
    const t = ((res.json?.transitions ?? []) as { id: string; name: string }[]).find((x) => x.name.toLowerCase() === name.toLowerCase());
    // Already in the target status (the transition is not offered), or a workflow without it: the comment stands.
    if (t) await call(url, 'Jira transition', { headers: this.headers, body: { transition: { id: t.id } } });
  }
}

export const jiraChannel = defineComponent({
  name: 'jira',
  configSchema: jiraSchema,
  create: (config: JiraConfig, _deps: unknown) => new JiraChannel(config),
});
