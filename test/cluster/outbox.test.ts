// The outbox shared by two nodes on one PostgreSQL store (two pools, two workers): every action is delivered once,
// a node starting up leaves the other's in-flight actions alone, and a node that died mid-send leaves its
// actions to the other once their claim expires.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listActions } from '../../src/act/admin.js';
import type { Channel, OutboxItem } from '../../src/act/channel.js';
import { EmailChannel } from '../../src/act/channels/email.js';
import { DEFAULT_OUTBOX, enqueue, OutboxWorker, type OutboxOptions } from '../../src/act/outbox.js';
import { configSchema } from '../../src/config/schema.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { sampleNotification } from '../helpers/notification.js';
import { dropSchemas, uniqueSchema } from '../helpers/pg-schema.js';
import { quietLog } from '../helpers/quiet.js';
import { startSmtp } from '../helpers/smtp.js';
import { PG_URL, postgresAvailable, until } from '../helpers/vigil.js';

const FAST: OutboxOptions = { ...DEFAULT_OUTBOX, baseDelayMs: 10, maxDelayMs: 40, pollMs: 20, claimTimeoutMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A channel that counts what it was asked to send, taking `ms` per send (or until `gate` opens). */
function counting(name: string, ms = 0): Channel & { sent: string[]; gate?: Promise<void> } {
  const ch = {
    name,
    sent: [] as string[],
    gate: undefined as Promise<void> | undefined,
    async send(item: OutboxItem) {
      ch.sent.push(item.idempotencyKey);
      if (ms) await sleep(ms);
      await ch.gate;
    },
  };
  return ch;
}

async function addMany(store: OpenedDb, channel: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const note = sampleNotification({ ip: `198.51.100.${i + 1}` });
    await enqueue(store.db, { channel, incidentId: note.incident.id, revision: 1, payload: note });
  }
}

describe('the outbox on one PostgreSQL store shared by two nodes', async () => {
  const skip = !(await postgresAvailable()) && 'PostgreSQL not reachable';
  const schemas: string[] = [];
  const stores: OpenedDb[] = [];
  async function twoNodes(): Promise<[OpenedDb, OpenedDb]> {
    const schema = uniqueSchema('outbox');
    schemas.push(schema);
    const a = await openDatabase(PG_URL, { schema });
    const b = await openDatabase(PG_URL, { schema });
    stores.push(a, b);
    return [a, b];
  }
  after(async () => {
    for (const s of stores) await s.close();
    if (schemas.length) await dropSchemas(...schemas);
  });

  it('two workers running at once deliver each of 40 emails exactly once (real SMTP)', { skip }, async () => {
    const [a, b] = await twoNodes();
    const smtp = await startSmtp();
    const closers: EmailChannel[] = [];
    try {
      const email = () => new EmailChannel(configSchema.parse({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } } }).channels.email);
      await addMany(a, 'email', 40);
      const [ea, eb] = [email(), email()];
      closers.push(ea, eb);
      const wa = new OutboxWorker(a.db, new Map([['email', ea]]), quietLog, FAST, { holder: 'node-a' });
      const wb = new OutboxWorker(b.db, new Map([['email', eb]]), quietLog, FAST, { holder: 'node-b' });
      const [ranA, ranB] = await Promise.all([wa.runDue(), wb.runDue()]);
      assert.equal(ranA + ranB, 40, `a ran ${ranA}, b ran ${ranB}`);
      assert.ok(ranA > 0 && ranB > 0, `both nodes took a share (a ${ranA}, b ${ranB})`);
      await smtp.waitFor(40, 20_000);
      await sleep(200);
      const ids = smtp.messages.map((m) => m.messageId);
      assert.equal(ids.length, 40);
      assert.equal(new Set(ids).size, 40, 'no Message-ID twice');
      const rows = await listActions(a.db);
      assert.deepEqual([...new Set(rows.map((r) => r.state))], ['delivered']);
      assert.ok(rows.every((r) => r.attempts === 1));
    } finally {
      for (const c of closers) await c.close();
      await smtp.close();
    }
  });

  it("a node starting up leaves the other node's in-flight action alone", { skip }, async () => {
    const [a, b] = await twoNodes();
    await addMany(a, 'hook', 1);
    const slow = counting('hook');
    let open!: () => void;
    slow.gate = new Promise<void>((r) => (open = r));
    const wa = new OutboxWorker(a.db, new Map([['hook', slow]]), quietLog, FAST, { holder: 'node-a' });
    const running = wa.runDue();
    await until(() => slow.sent.length === 1, 5000, 'node a sending');
    // Node b starts (recovery) and runs its pass while node a is still sending.
    const other = counting('hook');
    const wb = new OutboxWorker(b.db, new Map([['hook', other]]), quietLog, FAST, { holder: 'node-b' });
    await wb.recover();
    assert.equal(await wb.runDue(), 0);
    assert.deepEqual(other.sent, [], 'node b did not send what node a is sending');
    open();
    await running;
    const [row] = await listActions(a.db);
    assert.equal(row!.state, 'delivered');
  });

  it('a node that dies mid-send leaves its action to the other once the claim expires, not before', { skip }, async () => {
    const [a, b] = await twoNodes();
    await addMany(a, 'hook', 1);
    const dying = counting('hook');
    dying.gate = new Promise<void>(() => {}); // the process is gone: the send never returns, nothing is recorded
    const claimTimeoutMs = 700;
    const wa = new OutboxWorker(a.db, new Map([['hook', dying]]), quietLog, { ...FAST, claimTimeoutMs }, { holder: 'node-a' });
    void wa.runDue();
    await until(() => dying.sent.length === 1, 5000, 'node a sending');
    const survivor = counting('hook');
    const wb = new OutboxWorker(b.db, new Map([['hook', survivor]]), quietLog, { ...FAST, claimTimeoutMs }, { holder: 'node-b' });
    assert.equal(await wb.runDue(), 0, 'the claim still holds');
    await sleep(claimTimeoutMs + 100);
    assert.equal(await wb.runDue(), 1, 'taken over after the claim expired');
    assert.equal(survivor.sent.length, 1);
    const [row] = await listActions(a.db);
    assert.equal(row!.state, 'delivered');
  });
});
