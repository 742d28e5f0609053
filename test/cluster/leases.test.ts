// Named leases and leader election on a real PostgreSQL shared by two "nodes" (two pools, two holder ids), and on
// SQLite (one node: always acquired).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LeaderElection, Leases } from '../../src/cluster/leases.js';
import { openDatabase } from '../../src/store/db.js';
import { twoNodes } from '../helpers/pg-schema.js';
import { postgresAvailable } from '../helpers/vigil.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leases on PostgreSQL (two nodes)', async () => {
  const skip = !(await postgresAvailable()) && 'PostgreSQL not reachable';
  const store = twoNodes('leases', skip);

  it('of many concurrent acquires by different holders exactly one wins, each round', { skip }, async () => {
    const nodes = Array.from({ length: 8 }, (_, i) => new Leases(i % 2 ? store.a.db : store.b.db, `node-${i}`));
    for (let round = 0; round < 10; round++) {
      const name = `race-${round}`;
      const won = (await Promise.all(nodes.map((n) => n.acquire(name, 60_000)))).filter((l) => l !== undefined);
      assert.equal(won.length, 1, `round ${round}: ${won.map((l) => l!.holder).join(', ')}`);
      assert.equal(won[0]!.token, 1);
    }
  });

  it('the fencing token grows with each new holder; the same holder keeps it while it renews', { skip }, async () => {
    const one = new Leases(store.a.db, 'one');
    const two = new Leases(store.b.db, 'two');
    const first = await one.acquire('jobs', 400);
    assert.ok(first);
    assert.equal(await two.acquire('jobs', 400), undefined, 'held: the other node is refused');
    const again = await one.acquire('jobs', 400);
    assert.equal(again?.token, first.token, 'same holder, not lapsed: same token');
    const renewed = await one.renew(first, 400);
    assert.equal(renewed?.token, first.token);
    assert.ok(renewed!.expiresAt >= first.expiresAt);
    assert.equal(await two.renew({ name: 'jobs', token: first.token }, 400), undefined, 'another holder cannot renew it');
    await sleep(600);
    assert.equal(await one.holds(first), false, 'lapsed');
    const taken = await two.acquire('jobs', 400);
    assert.equal(taken?.token, first.token + 1, 'a new holder: a larger token');
    assert.equal(await one.renew(first, 400), undefined, 'the former holder cannot renew it back');
    assert.equal(await one.release(first), false, 'nor release it');
    assert.equal(await two.holds(taken!), true);
    assert.equal(await two.release(taken!), true);
    const back = await one.acquire('jobs', 400);
    assert.equal(back?.token, first.token + 2, 'released: taken at once, token larger again');
    const rows = await one.list('jo');
    assert.deepEqual(rows.map((r) => [r.name, r.holder, r.token, r.expired]), [['jobs', 'one', first.token + 2, false]]);
  });

  it('leader election: one leader of two; when it stops the other leads; a crashed leader is replaced after the ttl', { skip }, async () => {
    const ea = new LeaderElection(new Leases(store.a.db, 'elect-a'), 'periodic', { ttl: 500, renewEvery: 100 });
    const eb = new LeaderElection(new Leases(store.b.db, 'elect-b'), 'periodic', { ttl: 500, renewEvery: 100 });
    await ea.start();
    await eb.start();
    await sleep(300);
    assert.deepEqual([ea.isLeader(), eb.isLeader()], [true, false]);
    assert.equal(await ea.stillLeader(), true);
    await ea.stop();
    await eb.tick();
    assert.equal(eb.isLeader(), true, 'a stopped leader hands over at once');
    const token = eb.lease!.token;
    // A crash: the leader stops renewing without releasing. A third node takes over only once the ttl has run out.
    const crashed = (eb as unknown as { poller: { stop(): Promise<void> } }).poller;
    await crashed.stop();
    const ec = new LeaderElection(new Leases(store.a.db, 'elect-c'), 'periodic', { ttl: 500, renewEvery: 100 });
    await ec.start();
    assert.equal(ec.isLeader(), false);
    await sleep(700);
    assert.equal(eb.isLeader(), false, 'the crashed leader no longer believes it leads once its local validity ran out');
    assert.equal(ec.isLeader(), true);
    assert.ok(ec.lease!.token > token);
    await ec.stop();
  });
});

describe('leases on SQLite (one node)', () => {
  it('an acquire always succeeds: a restart takes over the lease its previous run left', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-lease-')), 'v.db'));
    try {
      const before = new Leases(store.db, 'run-1');
      const first = await before.acquire('jobs', 60_000);
      assert.equal(first?.token, 1);
      const after = new Leases(store.db, 'run-2');
      const second = await after.acquire('jobs', 60_000);
      assert.equal(second?.holder, 'run-2');
      assert.equal(second?.token, 2);
      assert.equal(await before.holds(first!), false);
      const e = new LeaderElection(after, 'jobs', { ttl: 1000 });
      await e.start();
      assert.equal(e.isLeader(), true);
      await e.stop();
    } finally {
      await store.close();
    }
  });
});
