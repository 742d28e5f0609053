// The outbox's guarantees against real peers: a channel answering 500 is retried, dead-lettered (visible,
// audited) and retried by hand; a crash between sending and recording sends nothing twice where the remote
// can be asked; a channel that is down opens its breaker instead of spending attempts.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { listActions, retryAction } from '../../src/act/admin.js';
import type { Channel, OutboxItem } from '../../src/act/channel.js';
import { EmailChannel } from '../../src/act/channels/email.js';
import { JiraChannel } from '../../src/act/channels/jira.js';
import { ServiceNowChannel } from '../../src/act/channels/servicenow.js';
import { TheHiveChannel } from '../../src/act/channels/thehive.js';
import { WebhookChannel } from '../../src/act/channels/webhook.js';
import { DEFAULT_OUTBOX, enqueue, expedite, hasWaiting, OutboxWorker, type OutboxOptions } from '../../src/act/outbox.js';
import { configSchema } from '../../src/config/schema.js';
import { auditFor } from '../../src/store/audit.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { startFake, type RecordingFake } from '../fakes/http.js';
import { startJira } from '../fakes/jira.js';
import { startServiceNow } from '../fakes/servicenow.js';
import { startTheHive } from '../fakes/thehive.js';
import { sampleNotification } from '../helpers/notification.js';
import { quietLog } from '../helpers/quiet.js';
import { startSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/vigil.js';
import type { OutboxPayload } from '../../src/act/payload.js';

const FAST: OutboxOptions = { ...DEFAULT_OUTBOX, baseDelayMs: 10, maxDelayMs: 40, pollMs: 20, maxAttempts: 4, breakerFailures: 100, breakerCooldownMs: 50 };
const channels = (c: Record<string, unknown>) => configSchema.parse({ channels: c }).channels;

async function add(store: OpenedDb, channel: string, n = sampleNotification()): Promise<void> {
  await enqueue(store.db, { channel, incidentId: n.incident.id, revision: n.incident.revision, payload: n });
}

describe('a channel answering 500', () => {
  let store: OpenedDb;
  let hook: RecordingFake;
  before(async () => (hook = await startFake(() => ({ status: 200, json: { ok: true } }))));
  after(async () => hook.close());
  beforeEach(async () => (store = await openDatabase(':memory:')));
  afterEach(async () => store.close());

  it('is retried with backoff, dead-lettered after maxAttempts, listed with its error, then retried by hand and delivered', async () => {
    const ch = new WebhookChannel(channels({ webhook: { enabled: true, url: hook.url + '/hook' } }).webhook);
    const worker = new OutboxWorker(store.db, new Map([['webhook', ch]]), quietLog, FAST);
    hook.failNext(1000, 500, 'upstream exploded');
    await add(store, 'webhook');
    for (let i = 0; i < 10; i++) {
      await worker.runDue(Date.now() + 60_000);
      const [a] = await listActions(store.db);
      if (a!.state === 'dead') break;
    }
    const [dead] = await listActions(store.db, { state: 'dead' });
    assert.ok(dead, 'the action is in the dead letter');
    assert.equal(dead.attempts, 4);
    assert.match(dead.lastError ?? '', /HTTP 500 upstream exploded/);
    assert.equal(hook.requests.length, 4, 'four attempts reached the channel');
    const audit = await auditFor(store.db, `incident:${dead.incidentId}`);
    assert.equal(audit[0]!.action, 'action.dead-letter');
    // Nothing runs a dead action by itself.
    assert.equal(await worker.runDue(Date.now() + 3_600_000), 0);

    hook.failNext(0);
    assert.deepEqual(await retryAction(store.db, dead.id, 'user:alice'), { ok: true });
    assert.equal(await worker.runDue(), 1);
    const [done] = await listActions(store.db);
    assert.equal(done!.state, 'delivered');
    assert.equal(hook.requests.length, 5);
    const trail = await auditFor(store.db, `incident:${dead.incidentId}`);
    assert.deepEqual([trail[0]!.actor, trail[0]!.action, trail[0]!.result], ['user:alice', 'action.retry', 'ok']);
    assert.deepEqual(await retryAction(store.db, dead.id, 'user:alice'), { ok: false, reason: 'not-retryable', state: 'delivered' });
  });

  it('a permanent refusal (400) goes to the dead letter at once', async () => {
    const ch = new WebhookChannel(channels({ webhook: { enabled: true, url: hook.url + '/hook' } }).webhook);
    const worker = new OutboxWorker(store.db, new Map([['webhook', ch]]), quietLog, FAST);
    hook.failNext(1, 400, 'bad payload');
    await add(store, 'webhook');
    await worker.runDue();
    const [a] = await listActions(store.db);
    assert.equal(a!.state, 'dead');
    assert.equal(a!.attempts, 1);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures: the channel\'s other actions wait without spending attempts, then all go through', async () => {
    const store = await openDatabase(':memory:');
    let up = false;
    const sent: string[] = [];
    const flaky: Channel = {
      name: 'flaky',
      async send(item: OutboxItem) {
        if (!up) throw new Error('connection refused');
        sent.push(item.idempotencyKey);
      },
    };
    const worker = new OutboxWorker(store.db, new Map([['flaky', flaky]]), quietLog, { ...FAST, breakerFailures: 2, breakerCooldownMs: 60_000 });
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5']) await add(store, 'flaky', sampleNotification({ ip }));
    await worker.runDue(Date.now() + 1000);
    assert.equal(worker.breaker('flaky').state, 'open');
    const rows = await listActions(store.db);
    assert.deepEqual(rows.map((r) => r.attempts).sort(), [0, 0, 0, 1, 1], 'only two attempts were spent');
    // While open, nothing is tried, however often the worker runs.
    assert.equal(await worker.runDue(Date.now() + 1000), 0);
    up = true;
    worker.breaker('flaky').success();
    await worker.runDue(Date.now() + 1000);
    assert.equal(sent.length, 5);
    assert.equal(new Set(sent).size, 5);
    await store.close();
  });
});

describe('a crash between sending and recording', () => {
  /** Runs one pass whose worker "dies" right after the channel returned: the row stays `running`. */
  async function crashAfterSend(store: OpenedDb, channel: Channel): Promise<void> {
    const dying = new OutboxWorker(store.db, new Map([[channel.name, channel]]), quietLog, FAST, {
      afterSend: () => new Promise<void>(() => {}), // never returns: the process is gone
    });
    void dying.runDue();
    await until(async () => sentOnce && (await listActions(store.db))[0]?.state === 'running', 5000, 'the send');
  }
  let sentOnce = false;

  async function restartAndRun(store: OpenedDb, channel: Channel): Promise<void> {
    const worker = new OutboxWorker(store.db, new Map([[channel.name, channel]]), quietLog, FAST);
    await worker.recover();
    await worker.runDue();
    const [a] = await listActions(store.db);
    assert.equal(a!.state, 'delivered');
  }

  function observed(ch: Channel): Channel {
    return {
      name: ch.name,
      async send(item) {
        const r = await ch.send(item);
        sentOnce = true;
        return r;
      },
    };
  }

  it('email: the resend is the same message (same Message-ID), so the mailbox keeps one', async () => {
    sentOnce = false;
    const smtp = await startSmtp();
    const store = await openDatabase(':memory:');
    const email = new EmailChannel(channels({ email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } }).email);
    await add(store, 'email');
    await crashAfterSend(store, observed(email));
    await restartAndRun(store, email);
    await smtp.waitFor(2);
    const ids = smtp.messages.map((m) => m.messageId);
    assert.equal(ids[0], ids[1], 'both deliveries carry one Message-ID');
    assert.match(ids[0]!, /^<inc\d+\.email\.1@localhost>$/, 'a valid msg-id: dot-atoms, the from-address domain');
    // What a mailbox that deduplicates by Message-ID (as Gmail does) shows: one message.
    assert.equal(new Set(ids).size, 1);
    await email.close();
    await store.close();
    await smtp.close();
  });

  for (const [name, start, make] of [
    ['TheHive', startTheHive, (url: string) => new TheHiveChannel(channels({ thehive: { enabled: true, url, apiKey: 'hive-api-key' } }).thehive)],
    ['Jira', () => startJira('SEC'), (url: string) => new JiraChannel(channels({ jira: { enabled: true, url, user: 'soc@example.org', token: 'jira-api-token', project: 'SEC' } }).jira)],
    ['ServiceNow', startServiceNow, (url: string) => new ServiceNowChannel(channels({ servicenow: { enabled: true, url, user: 'vigil.integration', password: 'snow-pass' } }).servicenow)],
  ] as const) {
    it(`${name}: the retry finds the item it created and makes no second one`, async () => {
      sentOnce = false;
      const fake = await (start as () => Promise<RecordingFake & Record<string, any>>)();
      const store = await openDatabase(':memory:');
      const ch = (make as (u: string) => Channel)(fake.url);
      await add(store, ch.name);
      await crashAfterSend(store, observed(ch));
      await restartAndRun(store, ch);
      const items = fake.alerts ?? fake.issues ?? fake.records;
      assert.equal(items.length, 1, `one ${name} item`);
      if (fake.issues) assert.equal(fake.issues[0].comments.length, 0, 'and no comment repeating it');
      const [a] = await listActions(store.db);
      assert.ok(a!.ref?.externalId, 'the reference is recorded for later updates');
      await store.close();
      await fake.close();
    });
  }
});

describe('scheduling', () => {
  it('an action scheduled for later waits, and is woken early on demand', async () => {
    const store = await openDatabase(':memory:');
    const sent: string[] = [];
    const ch: Channel = { name: 'x', async send(i) { sent.push(i.idempotencyKey); } };
    const worker = new OutboxWorker(store.db, new Map([['x', ch]]), quietLog, FAST);
    await enqueue(store.db, { channel: 'x', incidentId: 'i1', revision: 1, payload: {} as OutboxPayload, notBefore: Date.now() + 3_600_000 });
    assert.equal(await worker.runDue(), 0);
    assert.equal(await expedite(store.db, 'i1:x:1'), true);
    assert.equal(await worker.runDue(), 1);
    assert.deepEqual(sent, ['i1:x:1']);
    await store.close();
  });
});

/** A channel whose every send waits until `release()` (one release per send); `started` settles at its first send. */
function heldChannel(name: string, onSend: (item: OutboxItem) => void = () => {}) {
  let started!: () => void;
  const held = {
    started: new Promise<void>((r) => (started = r)),
    release: () => {},
    channel: {
      name,
      send: (item: OutboxItem) => {
        onSend(item);
        started();
        return new Promise<void>((r) => (held.release = r));
      },
    } as Channel<OutboxPayload>,
  };
  return held;
}

describe('a channel that never answers', () => {
  it('holds its own actions only: another channel of the same incident is delivered meanwhile, in order', async () => {
    const store = await openDatabase(':memory:');
    const sent: string[] = [];
    const stuck = heldChannel('stuck', (item) => sent.push(`stuck ${item.id}`));
    const chat: Channel<OutboxPayload> = { name: 'chat', send: async (item) => void sent.push(`chat ${item.id}`) };
    const worker = new OutboxWorker(store.db, new Map([['stuck', stuck.channel], ['chat', chat]]), quietLog, FAST);
    // Two revisions of one incident, each notified on both channels.
    const n = sampleNotification();
    const later = { ...n, incident: { ...n.incident, revision: n.incident.revision + 1 } };
    await add(store, 'stuck', n);
    await add(store, 'stuck', later);
    await add(store, 'chat', n);
    await add(store, 'chat', later);
    const run = worker.runDue();
    await stuck.started;
    await until(async () => (await listActions(store.db, { state: 'delivered' })).length === 2, 5000, 'the chat messages delivered while the mail hangs');
    assert.deepEqual(sent, ['stuck 1', 'chat 3', 'chat 4'], 'the second mail waits behind the first; the chat lane went on');
    stuck.release();
    await until(async () => sent.length === 4, 5000, 'the second mail sent after the first returned');
    stuck.release();
    assert.equal(await run, 4);
    assert.deepEqual(sent, ['stuck 1', 'chat 3', 'chat 4', 'stuck 2']);
    assert.equal((await listActions(store.db, { state: 'delivered' })).length, 4);
    await store.close();
  });
});

describe('an action being sent', () => {
  it("still counts as waiting for its incident until it is recorded (what its incident's later updates wait for)", async () => {
    const store = await openDatabase(':memory:');
    const slow = heldChannel('slow');
    const worker = new OutboxWorker(store.db, new Map([['slow', slow.channel]]), quietLog, FAST);
    const n = sampleNotification();
    await add(store, 'slow', n);
    assert.equal(await hasWaiting(store.db, n.incident.id), true, 'pending');
    const run = worker.runDue();
    await slow.started;
    assert.equal(await hasWaiting(store.db, n.incident.id), true, 'claimed and being sent');
    slow.release();
    assert.equal(await run, 1);
    assert.equal(await hasWaiting(store.db, n.incident.id), false, 'delivered');
    await store.close();
  });
});
