// Guarded active response: the guard rails, the server-side ledger of offences, unblock at expiry and by
// hand, dry-run — each step in the audit log. The Wazuh side is a stand-in at the ResponseApi seam.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_OUTBOX, OutboxWorker } from '../../src/act/outbox.js';
import { ResponseExecutor } from '../../src/act/response/executor.js';
import { RESPONSE_CHANNEL, ResponseService, type BlockRequest } from '../../src/act/response/service.js';
import { actionsSchema } from '../../src/config/schema.js';
import { auditFor } from '../../src/store/audit.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { FakeWazuhAr } from '../fakes/wazuh-ar.js';
import { quietLog } from '../helpers/quiet.js';

const HOUR = 3_600_000;

function setup(store: OpenedDb, response: Record<string, unknown> = {}, clock = { now: Date.now() }) {
  const config = actionsSchema.parse({ response, approvals: { secret: 'k', publicUrl: 'https://vigil.example' } });
  const service = new ResponseService(store.db, config.response, { ...config.approvals, secret: 'k' });
  const wazuh = new FakeWazuhAr([
    { id: '001', name: 'web-01', ip: '192.0.2.10', os: { platform: 'ubuntu', name: 'Ubuntu' } },
    { id: '003', name: 'WIN-DC01', ip: '192.0.2.12', os: { platform: 'windows', name: 'Microsoft Windows Server 2022' } },
    { id: '004', name: 'partner-gw', ip: '198.51.100.250', os: { platform: 'centos' } },
  ]);
  const executor = new ResponseExecutor(store.db, service, wazuh, quietLog, () => clock.now);
  const worker = new OutboxWorker(store.db, new Map([[RESPONSE_CHANNEL, executor]]), quietLog, { ...DEFAULT_OUTBOX, maxAttempts: 3 });
  const request = (r: Partial<BlockRequest>) =>
    service.request(store.db, { incidentId: `inc-${Math.random().toString(16).slice(2, 8)}`, playbook: 'pb', address: '198.51.100.20', agents: ['001'], mode: 'automatic', ...r }, clock.now);
  const run = () => worker.runDue(clock.now);
  return { service, wazuh, worker, request, run, clock };
}

describe('active response guard rails', () => {
  let store: OpenedDb;
  beforeEach(async () => (store = await openDatabase(':memory:')));
  afterEach(async () => store.close());

  it('an allowlisted address is never blocked, in any spelling, in any mode', async () => {
    const s = setup(store, { allowlist: ['203.0.113.0/24', '2001:db8::/32'], maxBlocksPerHour: 1000 });
    const v4 = fc.tuple(fc.integer({ min: 0, max: 255 })).map(([x]) => `203.0.113.${x}`);
    const mapped = v4.map((a) => `::ffff:${a}`);
    const v6 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `2001:db8:${a.toString(16)}::${b.toString(16)}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(v4, mapped, v6), fc.constantFrom('automatic', 'approval', 'dry-run') as fc.Arbitrary<'automatic' | 'approval' | 'dry-run'>, async (address, mode) => {
        const link = await s.request({ address, mode });
        assert.equal(link, undefined, 'no approval link is offered');
      }),
      { numRuns: 60 },
    );
    await s.run();
    assert.equal(s.wazuh.calls.length, 0, 'Wazuh was never asked to block');
    const rows = await s.service.list({ limit: 1000 });
    assert.ok(rows.length > 0 && rows.every((r) => r.state === 'refused' && /allowlisted/.test(r.reason ?? '')));
    const audit = await auditFor(store.db, `ip:${rows[0]!.address}`);
    assert.equal(audit[0]!.result, 'refused');
  });

  it('refuses private addresses, the manager and gateways, and addresses of allowlisted assets', async () => {
    const s = setup(store, { managers: ['192.0.2.1'], gateways: ['192.0.2.254/32'], allowAssets: ['partner-gw'] });
    for (const address of ['10.1.2.3', '192.168.1.5', '127.0.0.1', 'fe80::1', '192.0.2.1', '192.0.2.254', 'not-an-ip; rm -rf /']) {
      await s.request({ address });
    }
    // The asset check needs the inventory: it runs right before the call.
    await s.request({ address: '198.51.100.250' });
    await s.run();
    assert.equal(s.wazuh.calls.length, 0);
    const reasons = (await s.service.list()).map((r) => `${r.address} ${r.state}: ${r.reason}`);
    assert.equal(reasons.length, 8);
    assert.ok(reasons.every((r) => / refused: /.test(r)), reasons.join('\n'));
    assert.ok(reasons.some((r) => /198\.51\.100\.250 refused: .*allowlisted asset partner-gw \(004\)/.test(r)));
    assert.ok(reasons.some((r) => /192\.0\.2\.1 refused: .*manager or gateway/.test(r)));
    assert.ok(reasons.some((r) => /10\.1\.2\.3 refused: .*private/.test(r)));
    assert.ok(reasons.some((r) => /not an IP address/.test(r)));
  });

  it('with allowPrivate an internal attacker can be blocked', async () => {
    const s = setup(store, { allowPrivate: true });
    await s.request({ address: '10.1.2.3' });
    await s.run();
    assert.equal(s.wazuh.calls.length, 1);
  });

  it('caps the blast radius: past maxBlocksPerHour blocks are refused and say why', async () => {
    const s = setup(store, { maxBlocksPerHour: 2 });
    for (const x of [1, 2, 3]) await s.request({ address: `198.51.100.${x}` });
    await s.run();
    const rows = await s.service.list();
    assert.deepEqual(rows.map((r) => r.state).sort(), ['blocked', 'blocked', 'refused']);
    assert.match(rows.find((r) => r.state === 'refused')!.reason!, /blast-radius cap reached: 2 blocks in the last hour/);
  });

  it('dry-run decides and audits but never calls Wazuh', async () => {
    const s = setup(store);
    await s.request({ address: '198.51.100.30', mode: 'dry-run' });
    await s.run();
    assert.equal(s.wazuh.calls.length, 0);
    const [row] = await s.service.list();
    assert.equal(row!.state, 'dry-run');
    const [entry] = await auditFor(store.db, 'ip:198.51.100.30');
    assert.deepEqual([entry!.action, entry!.result, entry!.details?.durationMs], ['response.request', 'dry-run', HOUR]);
  });
});

describe('blocks, the ledger and unblocks', () => {
  let store: OpenedDb;
  beforeEach(async () => (store = await openDatabase(':memory:')));
  afterEach(async () => store.close());

  it('blocks with the command for each agent OS, unblocks at expiry, and a repeat offender\'s second block lasts longer', async () => {
    const s = setup(store, { durations: ['1h', '6h', '1d'] });
    await s.request({ address: '198.51.100.20', agents: ['001', '003'] });
    await s.run();
    assert.deepEqual(
      s.wazuh.calls.map((c) => `${c.command} ${c.agents.join(',')} ${(c.alert as any).data.srcip}`),
      ['!firewall-drop 001 198.51.100.20', '!netsh.exe 003 198.51.100.20'],
    );
    const [first] = await s.service.list();
    assert.equal(first!.state, 'blocked');
    assert.equal(first!.offence, 1);
    assert.equal(first!.unblockAt! - first!.blockedAt!, HOUR);

    // Before expiry nothing happens; after it, the unblock runs on both agents.
    s.clock.now += HOUR - 1000;
    await s.run();
    assert.equal(s.wazuh.calls.length, 2);
    s.clock.now += 2000;
    await s.run();
    assert.deepEqual(s.wazuh.calls.slice(2).map((c) => `${c.command} ${c.agents.join(',')}`), ['!vigil-unblock.sh 001', '!vigil-unblock.cmd 003']);
    assert.equal((await s.service.get(first!.id))!.state, 'unblocked');
    assert.equal(s.wazuh.activeBlocks().get('198.51.100.20')!.size, 0);

    // The same address attacks again, a Windows agent this time: the ledger on the server knows it.
    s.clock.now += 2 * HOUR;
    await s.request({ address: '198.51.100.20', agents: ['003'] });
    await s.run();
    const second = (await s.service.list()).find((r) => r.id !== first!.id)!;
    assert.equal(second.offence, 2);
    assert.equal(second.durationMs, 6 * HOUR);
    assert.ok(second.durationMs > first!.durationMs, 'the second block lasts longer');
    const audit = await auditFor(store.db, 'ip:198.51.100.20');
    assert.deepEqual(
      audit.map((a) => `${a.action}:${a.result}`).reverse(),
      ['response.request:approved', 'response.block:ok', 'response.unblock:ok', 'response.request:approved', 'response.block:ok'],
    );
  });

  it('an analyst lifts a block early; a second unblock is refused', async () => {
    const s = setup(store);
    await s.request({ address: '198.51.100.21' });
    await s.run();
    const [row] = await s.service.list();
    const res = await s.service.unblock(row!.id, 'user:bob', s.clock.now);
    assert.equal(res.ok, true);
    await s.run();
    assert.equal((await s.service.get(row!.id))!.state, 'unblocked');
    assert.equal(s.wazuh.calls.at(-1)!.command, '!vigil-unblock.sh');
    assert.deepEqual(await s.service.unblock(row!.id, 'user:bob').then((r) => r.ok), false);
    const trail = await auditFor(store.db, 'ip:198.51.100.21');
    assert.ok(trail.some((a) => a.actor === 'user:bob' && a.action === 'response.unblock-request' && a.result === 'ok'));
    assert.ok(trail.some((a) => a.action === 'response.unblock' && a.details?.early === true));
  });

  it('an agent that does not exist is reported; when no agent takes the command the block is retried', async () => {
    const s = setup(store);
    await s.request({ address: '198.51.100.22', agents: ['009'] });
    await s.run();
    const [row] = await s.service.list();
    assert.equal(row!.state, 'approved', 'not blocked: no agent took it');
    const [action] = await store.db.selectFrom('outbox').selectAll().execute();
    assert.match(action!.last_error ?? '', /reached no agent: 009: Agent does not exist/);
  });
});

describe('approval decisions', () => {
  let store: OpenedDb;
  beforeEach(async () => (store = await openDatabase(':memory:')));
  afterEach(async () => store.close());

  it('a signed link decides once; a forged, expired or second use is refused', async () => {
    const s = setup(store);
    const link = await s.request({ address: '198.51.100.40', mode: 'approval' });
    assert.ok(link);
    const u = new URL(link.url);
    assert.equal(u.origin, 'https://vigil.example');
    const id = Number(u.pathname.split('/').pop());
    const exp = Number(u.searchParams.get('exp'));
    const sig = u.searchParams.get('sig')!;
    assert.equal((await s.service.decideByLink(id, exp, sig.slice(0, -2) + 'xx', 'approve', 'link')).ok, false);
    assert.equal((await s.service.decideByLink(id, exp + 1, sig, 'approve', 'link')).ok, false, 'the expiry is signed');
    assert.equal((await s.service.decideByLink(id, exp, sig, 'approve', 'link', s.clock.now)).ok, true);
    const again = await s.service.decideByLink(id, exp, sig, 'deny', 'link', s.clock.now);
    assert.deepEqual(again.ok ? 'ok' : again.reason, 'already-used');
    await s.run();
    assert.equal(s.wazuh.calls.length, 1);

    const late = await s.request({ address: '198.51.100.41', mode: 'approval' });
    const lu = new URL(late!.url);
    const res = await s.service.decideByLink(Number(lu.pathname.split('/').pop()), Number(lu.searchParams.get('exp')), lu.searchParams.get('sig')!, 'approve', 'link', s.clock.now + 2 * HOUR);
    assert.deepEqual(res.ok ? 'ok' : res.reason, 'expired');
  });
});
