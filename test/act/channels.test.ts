// Every channel against a fake built from the service's documented contract: what lands there, how an
// update reaches the same item, and that attacker-chosen text stays text.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { configSchema } from '../../src/config/schema.js';
import { JiraChannel } from '../../src/act/channels/jira.js';
import { PagerDutyChannel } from '../../src/act/channels/pagerduty.js';
import { ServiceNowChannel } from '../../src/act/channels/servicenow.js';
import { SlackChannel } from '../../src/act/channels/slack.js';
import { TeamsChannel } from '../../src/act/channels/teams.js';
import { TheHiveChannel } from '../../src/act/channels/thehive.js';
import { WebhookChannel } from '../../src/act/channels/webhook.js';
import { PermanentError } from '../../src/act/channel.js';
import { startFake, type RecordingFake } from '../fakes/http.js';
import { startJira, type FakeJira } from '../fakes/jira.js';
import { startPagerDuty, type FakePagerDuty } from '../fakes/pagerduty.js';
import { startServiceNow, type FakeServiceNow } from '../fakes/servicenow.js';
import { startSlack, type FakeSlack } from '../fakes/slack.js';
import { startTeams, type FakeTeams } from '../fakes/teams.js';
import { startTheHive, type FakeTheHive } from '../fakes/thehive.js';
import { itemFor, sampleNotification } from '../helpers/notification.js';
import { facts } from '../../src/act/render/facts.js';
import { renderEmail } from '../../src/act/render/email.js';

const channels = (c: Record<string, unknown>) => configSchema.parse({ channels: c }).channels;
const EVIL = '<!channel> *bold* <https://evil.example|click> [x](https://evil.example)';

describe('Slack', () => {
  let slack: FakeSlack;
  before(async () => (slack = await startSlack()));
  after(async () => slack.close());

  it('posts Block Kit through an incoming webhook with event values as plain text', async () => {
    const ch = new SlackChannel(channels({ slack: { enabled: true, webhookUrl: slack.url + slack.webhookPath } }).slack);
    await ch.send(itemFor('slack', sampleNotification({ user: EVIL })));
    const m = slack.messages.at(-1)!;
    assert.match(m.text, /HIGH: Windows Brute Force From One Source Address from 203\.0\.113\.7/);
    const fields = m.blocks.find((b: any) => b.type === 'section' && b.fields).fields;
    const users = fields.find((f: any) => /^Targeted users?:/.test(f.text));
    assert.equal(users.type, 'plain_text', 'attacker text sits in a plain_text object');
    assert.ok(users.text.includes(EVIL));
    const texts: any[] = [];
    const walk = (v: any) => (v && typeof v === 'object' ? (typeof v.type === 'string' && typeof v.text === 'string' && texts.push(v), Object.values(v).forEach(walk)) : undefined);
    walk(m.blocks);
    const carrying = texts.filter((t) => t.text.includes('<!channel>'));
    assert.ok(carrying.length >= 2, 'facts and evidence carry the value');
    assert.ok(carrying.every((t) => t.type === 'plain_text'), 'never inside mrkdwn');
  });

  it('with a bot token, replies to the incident thread on escalation and finds its own post after a crash', async () => {
    const ch = new SlackChannel(channels({ slack: { enabled: true, token: slack.token, channel: 'C0SOC', apiUrl: slack.url + '/api' } }).slack);
    const opened = sampleNotification({ ip: '198.51.100.20', user: 'a<b>&c' });
    const ref = await ch.send(itemFor('slack', opened));
    assert.ok(ref && ref.thread);
    const root = slack.messages.find((m) => m.ts === ref.thread)!;
    assert.equal(root.text.includes('<b>'), false, 'the mrkdwn fallback is escaped');
    // Same item again (the record was lost in a crash): found by its metadata, not posted twice.
    const again = await ch.send(itemFor('slack', opened));
    assert.equal(again && again.externalId, ref.externalId);
    assert.equal(slack.messages.filter((m) => m.channel === 'C0SOC' && !m.thread_ts).length, 1);
    const escalated = sampleNotification({ ip: '198.51.100.20', revision: 2, change: 'escalated', level: 'critical' });
    await ch.send(itemFor('slack', escalated, ref));
    const reply = slack.messages.at(-1)!;
    assert.equal(reply.thread_ts, ref.thread, 'the escalation is a reply in the thread');
    assert.match(reply.text, /^ESCALATED to CRITICAL: /);
  });

  it('an invalid token is a permanent error', async () => {
    const ch = new SlackChannel(channels({ slack: { enabled: true, token: 'xoxb-wrong', channel: 'C0SOC', apiUrl: slack.url + '/api' } }).slack);
    await assert.rejects(ch.send(itemFor('slack', sampleNotification())), (e: Error) => e instanceof PermanentError && /invalid_auth/.test(e.message));
  });
});

describe('Microsoft Teams', () => {
  let teams: FakeTeams;
  before(async () => (teams = await startTeams()));
  after(async () => teams.close());

  it('posts an Adaptive Card with the facts and escaped markdown', async () => {
    const ch = new TeamsChannel(channels({ teams: { enabled: true, webhookUrl: teams.url + teams.path, timezone: 'Europe/Berlin' } }).teams);
    const n = sampleNotification({ user: EVIL });
    n.approvals = [{ address: '203.0.113.7', agents: ['003'], url: 'https://vigil.example/api/v1/approvals/1?exp=1&sig=x', expiresAt: Date.now() }];
    await ch.send(itemFor('teams', n));
    const card = teams.cards.at(-1)!;
    assert.equal(card.version, '1.4');
    const facts = card.body.find((b: any) => b.type === 'FactSet').facts;
    const first = facts.find((f: any) => f.title === 'First seen');
    assert.equal(first.value, '2026\\-11\\-21 11:00:00 GMT\\+01:00', 'times in the configured zone, markdown-escaped');
    const users = facts.find((f: any) => /^Targeted users?$/.test(f.title)).value;
    assert.ok(!users.includes('[x](https'), 'a markdown link cannot form');
    assert.equal(card.actions[0].type, 'Action.OpenUrl');
    assert.match(card.actions[0].url, /\/api\/v1\/approvals\/1\?/);
  });
});

describe('the account that logged on, said alike by every channel', () => {
  let slack: FakeSlack;
  let teams: FakeTeams;
  before(async () => ((slack = await startSlack()), (teams = await startTeams())));
  after(async () => Promise.all([slack.close(), teams.close()]));

  it('the mail, Slack and Teams carry the same fact from the one place facts are built', async () => {
    const n = sampleNotification({ ip: '203.0.113.90' });
    n.loggedOn = [{ user: 'svc_sql', sourceIp: '203.0.113.90', host: 'WIN-DC01', time: Date.UTC(2026, 10, 21, 6, 1, 0), eventId: '1.2' }];
    const said = 'svc_sql from 203.0.113.90 on WIN-DC01 at 2026-11-21 06:01:00 GMT+00:00';
    assert.deepEqual(facts(n).find(([k]) => k === 'Account that logged on'), ['Account that logged on', said]);
    assert.ok(renderEmail(n).text.includes(`Account that logged on: ${said}`));
    await new SlackChannel(channels({ slack: { enabled: true, webhookUrl: slack.url + slack.webhookPath } }).slack).send(itemFor('slack', n));
    const fields = slack.messages.at(-1)!.blocks.find((x: any) => x.type === 'section' && x.fields).fields;
    assert.ok(fields.some((f: any) => f.text === `Account that logged on: ${said}`), JSON.stringify(fields));
    await new TeamsChannel(channels({ teams: { enabled: true, webhookUrl: teams.url + teams.path } }).teams).send(itemFor('teams', n));
    const card = teams.cards.at(-1)!.body.find((x: any) => x.type === 'FactSet').facts.find((f: any) => f.title === 'Account that logged on');
    assert.equal(card.value, said.replace(/[-+._]/g, (c) => `\\${c}`), 'the same words, markdown-escaped');
  });
});

describe('generic webhook', () => {
  let hook: RecordingFake;
  before(async () => (hook = await startFake(() => ({ status: 204 }))));
  after(async () => hook.close());

  it('signs the JSON body with HMAC-SHA256 over timestamp and body, and sends a stable Idempotency-Key', async () => {
    const ch = new WebhookChannel(channels({ webhook: { enabled: true, url: hook.url + '/hook', secret: 's3cret', headers: { 'X-Tenant': 'soc' } } }).webhook, () => 1_790_000_000_000);
    const n = sampleNotification();
    await ch.send(itemFor('webhook', n));
    const r = hook.requests.at(-1)!;
    assert.equal(r.headers['x-vigil-timestamp'], '1790000000');
    const expected = 'sha256=' + createHmac('sha256', 's3cret').update(`1790000000.${r.body}`).digest('hex');
    assert.equal(r.headers['x-vigil-signature'], expected);
    assert.equal(r.headers['idempotency-key'], `${n.incident.id}:webhook:1`);
    assert.equal(r.headers['x-tenant'], 'soc');
    assert.equal(r.json.event, 'incident.opened');
    assert.equal(r.json.notification.sourceIps[0], '203.0.113.7');
  });
});

describe('PagerDuty Events v2', () => {
  let pd: FakePagerDuty;
  before(async () => (pd = await startPagerDuty()));
  after(async () => pd.close());

  it('triggers with the incident dedup_key, re-triggers the same alert on escalation, resolves on resolution', async () => {
    const ch = new PagerDutyChannel(channels({ pagerduty: { enabled: true, routingKey: 'R0123456789abcdef0123456789abcde', url: pd.url + '/v2/enqueue' } }).pagerduty);
    const n = sampleNotification();
    const ref = await ch.send(itemFor('pagerduty', n));
    await ch.send(itemFor('pagerduty', sampleNotification({ revision: 2, change: 'escalated', level: 'critical' })));
    assert.equal(pd.alerts.size, 1, 'one PagerDuty alert for the incident');
    const alert = pd.alerts.get(ref.externalId)!;
    assert.equal(alert.events[0].payload.severity, 'error');
    assert.equal(alert.events[1].payload.severity, 'critical');
    await ch.send(itemFor('pagerduty', sampleNotification({ revision: 3, change: 'resolved' })));
    assert.equal(alert.status, 'resolved');
  });

  it('a malformed routing key is refused by the service as permanent', async () => {
    const ch = new PagerDutyChannel(channels({ pagerduty: { enabled: true, routingKey: 'short', url: pd.url + '/v2/enqueue' } }).pagerduty);
    await assert.rejects(ch.send(itemFor('pagerduty', sampleNotification())), (e: Error) => e instanceof PermanentError && /routing_key/.test(e.message));
  });
});

describe('Jira Cloud', () => {
  let jira: FakeJira;
  before(async () => (jira = await startJira('SEC')));
  after(async () => jira.close());

  it('creates one issue with an ADF description, comments on escalation, transitions on resolution', async () => {
    const ch = new JiraChannel(channels({ jira: { enabled: true, url: jira.url, user: jira.user, token: jira.token, project: 'SEC', resolveTransition: 'Done' } }).jira);
    const n = sampleNotification({ user: EVIL });
    const ref = await ch.send(itemFor('jira', n));
    assert.equal(ref.externalId, 'SEC-1');
    const issue = jira.issues[0]!;
    assert.equal(issue.fields.description.type, 'doc');
    assert.ok(JSON.stringify(issue.fields.description).includes(JSON.stringify(EVIL).slice(1, -1)), 'the value is a text node, as it is');
    assert.ok(issue.fields.labels.includes(`vigil-${n.incident.id}`));
    // A crash lost the record of the create: the retry finds the issue by its label.
    const again = await ch.send(itemFor('jira', n));
    assert.equal(again.externalId, 'SEC-1');
    assert.equal(jira.issues.length, 1);
    assert.equal(issue.comments.length, 0, 'the first revision is the issue itself, no comment');
    const esc = itemFor('jira', sampleNotification({ revision: 2, change: 'escalated' }), ref);
    await ch.send(esc);
    await ch.send(esc); // the same revision again: its comment is found by marker
    assert.equal(issue.comments.length, 1);
    await ch.send(itemFor('jira', sampleNotification({ revision: 3, change: 'resolved' }), ref));
    assert.equal(issue.comments.length, 2);
    assert.equal(issue.status, 'Done');
  });
});

describe('ServiceNow', () => {
  let snow: FakeServiceNow;
  before(async () => (snow = await startServiceNow()));
  after(async () => snow.close());

  it('creates an incident with correlation_id, finds it again after a crash, adds work notes and resolves it', async () => {
    const ch = new ServiceNowChannel(channels({ servicenow: { enabled: true, url: snow.url, user: snow.user, password: snow.password, fields: { category: 'security' } } }).servicenow);
    const n = sampleNotification();
    const ref = await ch.send(itemFor('servicenow', n));
    assert.equal(snow.records.length, 1);
    const r = snow.records[0]!;
    assert.equal(r.fields.correlation_id, n.incident.id);
    assert.equal(r.fields.category, 'security');
    assert.equal(r.fields.urgency, '1');
    const again = await ch.send(itemFor('servicenow', n)); // no ref: the record was lost
    assert.equal(again.externalId, ref.externalId);
    assert.equal(snow.records.length, 1, 'found by correlation_id, not created twice');
    await ch.send(itemFor('servicenow', sampleNotification({ revision: 2, change: 'resolved' }), ref));
    assert.equal(r.fields.state, '6');
    assert.equal(r.fields.close_code, 'Solution provided');
    assert.match(r.work_notes.at(-1)!, /^RESOLVED · HIGH: /);
  });
});

describe('TheHive 5', () => {
  let hive: FakeTheHive;
  before(async () => (hive = await startTheHive()));
  after(async () => hive.close());

  it('creates an alert with deduplicated observables and a deterministic sourceRef, then updates it', async () => {
    const ch = new TheHiveChannel(channels({ thehive: { enabled: true, url: hive.url, apiKey: hive.apiKey } }).thehive);
    const n = sampleNotification();
    n.sourceIps = [...n.sourceIps, n.sourceIps[0]!]; // the same value twice would make TheHive reject the alert
    const ref = await ch.send(itemFor('thehive', n));
    const alert = hive.alerts[0]!;
    assert.equal(alert.sourceRef, `vigil-${n.incident.id}`);
    assert.deepEqual(
      alert.observables.map((o) => `${o.dataType}:${o.data}`),
      ['ip:203.0.113.7', 'other:administrator', 'hostname:WIN-DC01'],
    );
    const again = await ch.send(itemFor('thehive', n));
    assert.equal(again.externalId, ref.externalId);
    assert.equal(hive.alerts.length, 1);
    await ch.send(itemFor('thehive', sampleNotification({ revision: 2, change: 'escalated', level: 'critical' }), ref));
    assert.equal(hive.alerts.length, 1);
    assert.equal(alert.severity, 4);
    assert.match(alert.title, /^ESCALATED to CRITICAL/);
  });
});
