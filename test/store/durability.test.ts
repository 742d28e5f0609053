// When a commit's caller waits for the disk (src/store/durability.ts), on a real SQLite file whose fsync of the
// WAL is slowed to 300 ms (fs.fsync wrapped and synced into the ESM bindings the driver imported): a plain commit
// returns after its fsync; one inside committedFirst returns at once and says when it, and what came before it,
// are on disk. Then what that changes for users: intake hands alerts to the pipeline while the sender's
// acknowledgement waits for the disk, and the outbox sends once the incident's commit is on disk without waiting
// for its own claim's fsync.
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type { Channel, OutboxItem } from '../../src/act/channel.js';
import { DEFAULT_OUTBOX, enqueue, OutboxWorker } from '../../src/act/outbox.js';
import type { OutboxPayload } from '../../src/act/payload.js';
import { GroupCommit } from '../../src/sources/group-commit.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { committedFirst, type DurabilityScope } from '../../src/store/durability.js';
import { sampleNotification } from '../helpers/notification.js';
import { quietLog } from '../helpers/quiet.js';

const SLOW_MS = 300;
const realFsync = fs.fsync;
let fsyncs = 0;

function slowFsync(): void {
  fs.fsync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    fsyncs++;
    setTimeout(() => realFsync(fd, cb), SLOW_MS);
  }) as typeof fs.fsync;
  syncBuiltinESMExports();
}

function realFsyncBack(): void {
  fs.fsync = realFsync;
  syncBuiltinESMExports();
}

const since = (t0: number) => performance.now() - t0;
/** One transaction; bound to `scope` when given (inside committedFirst). */
const write = (store: OpenedDb, name: string, scope?: DurabilityScope) =>
  store.db.transaction().execute(async (trx) => {
    await scope?.bind(trx);
    await trx.insertInto('cursors').values({ name, value: name, updated_at: Date.now() }).execute();
  });

describe('durability of SQLite commits', () => {
  let dir: string;
  let store: OpenedDb;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-durability-'));
    store = await openDatabase(join(dir, 'vigil.db'));
    await write(store, 'first'); // opens the WAL's descriptor (and fsyncs its folder) before the clock starts
    slowFsync();
    fsyncs = 0;
  });
  afterEach(async () => {
    realFsyncBack();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a plain commit returns only after its fsync', async () => {
    const t0 = performance.now();
    await write(store, 'a');
    assert.ok(since(t0) >= SLOW_MS - 5, `returned after ${since(t0).toFixed(0)} ms`);
    assert.equal(fsyncs, 1);
  });

  it('inside committedFirst it returns at once; `own` resolves after the fsync, `earlier` at once when nothing before is pending', async () => {
    const t0 = performance.now();
    const { durability } = await committedFirst((scope) => write(store, 'a', scope));
    assert.ok(since(t0) < SLOW_MS / 2, `returned after ${since(t0).toFixed(0)} ms`);
    let ownAt = 0;
    let earlierAt = 0;
    const own = durability.own.then(() => (ownAt = since(t0)));
    const earlier = durability.earlier.then(() => (earlierAt = since(t0)));
    await Promise.all([own, earlier]);
    assert.ok(earlierAt < SLOW_MS / 2, `earlier resolved after ${earlierAt.toFixed(0)} ms`);
    assert.ok(ownAt >= SLOW_MS - 5, `own resolved after ${ownAt.toFixed(0)} ms`);
    assert.equal(fsyncs, 1);
  });

  it('`earlier` waits for a commit before it that is not on disk yet, and for nothing after it', async () => {
    const t0 = performance.now();
    const before = write(store, 'a'); // its fsync is in flight
    await new Promise((r) => setTimeout(r, 20));
    const { durability } = await committedFirst((scope) => write(store, 'b', scope));
    let beforeAt = 0;
    void before.then(() => (beforeAt = since(t0)));
    await durability.earlier;
    const earlierAt = since(t0);
    assert.ok(earlierAt >= SLOW_MS - 5, `earlier resolved after ${earlierAt.toFixed(0)} ms, before the first commit's fsync`);
    assert.ok(earlierAt < 2 * SLOW_MS - 5, `earlier resolved after ${earlierAt.toFixed(0)} ms: it waited for its own commit's fsync too`);
    await before;
    assert.ok(beforeAt > 0 && beforeAt <= earlierAt + 5);
    await durability.own;
    assert.ok(since(t0) >= 2 * SLOW_MS - 5, 'its own commit needs the second fsync');
    assert.equal(fsyncs, 2);
  });

  it('intake: the pipeline is handed the alerts at the commit; the sender is answered after the fsync', async () => {
    let handedAt = 0;
    const commits = new GroupCommit(store.db, () => (handedAt = since(t0)));
    const t0 = performance.now();
    const result = await commits.record([{ key: 'k1', eventId: 'e1', format: 'wazuh', source: 'test', body: '{"id":"e1"}' }]);
    const answeredAt = since(t0);
    assert.equal(result.accepted, 1);
    assert.ok(handedAt > 0 && handedAt < SLOW_MS / 2, `handed on after ${handedAt.toFixed(0)} ms`);
    assert.ok(answeredAt >= SLOW_MS - 5, `answered after ${answeredAt.toFixed(0)} ms, before its commit was on disk`);
  });

  it('intake: a failed fsync answers every caller of the commit with the error', async () => {
    fs.fsync = ((_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => void setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })))) as typeof fs.fsync;
    syncBuiltinESMExports();
    const commits = new GroupCommit(store.db);
    const both = [
      commits.record([{ key: 'k1', eventId: 'e1', format: 'wazuh', source: 'test', body: '{"id":"e1"}' }]),
      commits.record([{ key: 'k2', eventId: 'e2', format: 'wazuh', source: 'test', body: '{"id":"e2"}' }]),
    ];
    for (const r of await Promise.allSettled(both)) {
      assert.equal(r.status, 'rejected');
      assert.match(String((r as PromiseRejectedResult).reason), /fsync of the WAL failed: EIO/);
    }
  });
});

describe('the outbox and the disk', () => {
  let dir: string;
  let store: OpenedDb;
  const sent: number[] = [];
  const channel: Channel<OutboxPayload> = {
    name: 'webhook',
    send: async (_item: OutboxItem<OutboxPayload>) => void sent.push(performance.now()),
  };
  after(() => realFsyncBack());
  beforeEach(async () => {
    sent.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'vigil-durability-'));
    store = await openDatabase(join(dir, 'vigil.db'));
    await write(store, 'first');
  });
  afterEach(async () => {
    realFsyncBack();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const add = (n = sampleNotification()) => enqueue(store.db, { channel: 'webhook', incidentId: n.incident.id, revision: n.incident.revision, payload: n });

  it('sends an action already on disk without waiting for its claim to reach the disk', async () => {
    await add();
    slowFsync();
    const worker = new OutboxWorker(store.db, new Map([['webhook', channel]]), quietLog, DEFAULT_OUTBOX);
    const t0 = performance.now();
    const run = worker.runDue();
    while (sent.length === 0 && since(t0) < 5 * SLOW_MS) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sent.length, 1);
    assert.ok(sent[0]! - t0 < SLOW_MS / 2, `sent after ${(sent[0]! - t0).toFixed(0)} ms`);
    assert.equal(await run, 1);
  });

  it('never sends before the commit that queued the action is on disk', async () => {
    slowFsync();
    const worker = new OutboxWorker(store.db, new Map([['webhook', channel]]), quietLog, DEFAULT_OUTBOX);
    const t0 = performance.now();
    let queuedAt = 0;
    const queued = add().then(() => (queuedAt = since(t0)));
    // The outbox runs while that commit's fsync is still in flight: the row is visible, not yet durable.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await worker.runDue(), 1);
    await queued;
    assert.equal(sent.length, 1);
    assert.ok(sent[0]! - t0 >= queuedAt - 5, `sent at ${(sent[0]! - t0).toFixed(0)} ms, before the action's commit was on disk (${queuedAt.toFixed(0)} ms)`);
  });
});

describe('a failed fsync after a commit', () => {
  it('reaches the caller as the fsync error, not as a failed rollback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-durability-'));
    const store = await openDatabase(join(dir, 'vigil.db'));
    try {
      await write(store, 'first');
      fs.fsync = ((_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => void setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })))) as typeof fs.fsync;
      syncBuiltinESMExports();
      await assert.rejects(write(store, 'a'), /fsync of the WAL failed: EIO/);
    } finally {
      realFsyncBack();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
