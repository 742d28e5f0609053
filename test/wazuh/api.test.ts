import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { tokenLifetimeMs, WazuhApi, WazuhApiError } from '../../src/wazuh/api.js';
import { startFakeWazuhApi, type FakeAgent, type FakeWazuhApi } from '../fakes/wazuh-api.js';

const TLS = `${PACKAGE_ROOT}/test/fakes/tls`;

function agents(n: number): FakeAgent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(i).padStart(3, '0'),
    name: i === 0 ? 'wazuh-manager' : `ws-${i}`,
    ip: i === 0 ? '127.0.0.1' : `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    status: i % 7 === 3 ? 'disconnected' : 'active',
    os: { name: 'Microsoft Windows 11 Pro', platform: 'windows', version: '10.0.22631', arch: 'x86_64' },
    group: i === 0 ? undefined : ['default', i % 2 ? 'windows' : 'servers'],
    version: 'Wazuh v4.14.7',
  }));
}

describe('Wazuh API client', () => {
  let fake: FakeWazuhApi;
  let api: WazuhApi;
  const slept: number[] = [];

  before(async () => {
    fake = await startFakeWazuhApi({ user: 'vigil', password: 's3cret' });
    fake.agents.push(...agents(1203));
    api = new WazuhApi({ url: fake.url, user: 'vigil', password: 's3cret', clock: () => fake.clock.now, sleep: async (ms) => void slept.push(ms) });
  });
  after(async () => {
    await api.close();
    await fake.close();
  });

  it('lists every agent across pages with name, IP, OS, groups and status', async () => {
    const list = await api.listAgents();
    assert.equal(list.length, 1203);
    assert.equal(new Set(list.map((a) => a.id)).size, 1203);
    const a = list.find((x) => x.id === '005')!;
    assert.deepEqual(
      { name: a.name, ip: a.ip, status: a.status, platform: a.os?.platform, groups: a.groups, version: a.version },
      { name: 'ws-5', ip: '10.0.0.6', status: 'active', platform: 'windows', groups: ['default', 'windows'], version: 'Wazuh v4.14.7' },
    );
    assert.deepEqual(list.find((x) => x.id === '000')!.groups, []);
    assert.equal(fake.requests.filter((r) => r === 'GET /agents').length, 3, 'pages of 500');
  });

  it('filters agents by status and id', async () => {
    const down = await api.listAgents({ status: 'disconnected' });
    assert.ok(down.length > 0 && down.every((a) => a.status === 'disconnected'));
    const some = await api.listAgents({ agents: ['001', '002'] });
    assert.deepEqual(some.map((a) => a.name), ['ws-1', 'ws-2']);
  });

  it('logs in once and reuses the token, renewing before the 900 s expiry', async () => {
    const before = fake.logins;
    await api.agentsPage(0, 1);
    await api.agentsPage(0, 1);
    assert.equal(fake.logins, before, 'the token is reused');
    fake.clock.now += 850_000; // within the last minute of the token's life
    await api.agentsPage(0, 1);
    assert.equal(fake.logins, before + 1, 'renewed ahead of expiry, no 401 needed');
    assert.equal(tokenLifetimeMs(fakeTokenOf(900)), 900_000);
  });

  it('logs in again when the token is refused (revoked), and the call still succeeds', async () => {
    const before = fake.logins;
    fake.revokeTokens();
    const page = await api.agentsPage(0, 2);
    assert.equal(page.affected.length, 2);
    assert.equal(fake.logins, before + 1);
  });

  it('waits and retries on 429, honouring Retry-After, then succeeds', async () => {
    slept.length = 0;
    fake.rateLimitNext(2);
    const page = await api.agentsPage(0, 1);
    assert.equal(page.outcome, 'complete');
    assert.deepEqual(slept, [1000, 2000]);
    slept.length = 0;
    fake.rateLimitNext(1, '7');
    await api.agentsPage(0, 1);
    assert.deepEqual(slept, [7000]);
  });

  it('gives up on a lasting 429 with a typed error naming Wazuh code 6001', async () => {
    const strict = new WazuhApi({ url: fake.url, user: 'vigil', password: 's3cret', rateLimitRetries: 1, clock: () => fake.clock.now, sleep: async () => {} });
    fake.rateLimitNext(5);
    await assert.rejects(strict.agentsPage(0, 1), (e: unknown) => e instanceof WazuhApiError && e.status === 429 && e.code === 6001);
    fake.rateLimitNext(0);
    await strict.close();
  });

  it('runs an active response and reports complete, partial and failed outcomes', async () => {
    const ok = await api.runActiveResponse({ command: 'firewall-drop', agents: ['001', '002'], alert: { data: { srcip: '203.0.113.7' } } });
    assert.equal(ok.outcome, 'complete');
    assert.deepEqual(ok.affected, ['001', '002']);
    const sent = fake.arCalls.at(-1)!;
    assert.deepEqual(sent.agents, ['001', '002']);
    assert.deepEqual(sent.body, { command: 'firewall-drop', alert: { data: { srcip: '203.0.113.7' } } });

    const partial = await api.runActiveResponse({ command: 'firewall-drop', agents: ['001', '003', '9999'], arguments: ['-t', '600'] });
    assert.equal(partial.outcome, 'partial');
    assert.deepEqual(partial.affected, ['001']);
    assert.equal(partial.totalFailed, 2);
    assert.deepEqual(
      partial.failed.map((f) => [f.code, f.ids]),
      [
        [1707, ['003']],
        [1701, ['9999']],
      ],
    );
    assert.match(partial.message, /some agents/);
    assert.deepEqual(fake.arCalls.at(-1)!.body.arguments, ['-t', '600']);

    const failed = await api.runActiveResponse({ command: 'not-configured', agents: ['001'] });
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.failed[0]!.code, 1652);
  });

  it('sends to all agents when no list is given', async () => {
    await api.runActiveResponse({ command: '!custom-block.sh' });
    assert.equal(fake.arCalls.at(-1)!.agents, 'all');
  });

  it('wrong credentials: a typed 401 error, not a retry loop', async () => {
    const bad = new WazuhApi({ url: fake.url, user: 'vigil', password: 'wrong' });
    await assert.rejects(bad.listAgents(), (e: unknown) => e instanceof WazuhApiError && e.status === 401 && /Invalid credentials/.test(e.message));
    await bad.close();
  });
});

describe('Wazuh API client over TLS', () => {
  let fake: FakeWazuhApi;
  before(async () => {
    fake = await startFakeWazuhApi({ tls: { key: readFileSync(`${TLS}/server.key`, 'utf8'), cert: readFileSync(`${TLS}/server.pem`, 'utf8') } });
    fake.agents.push(...agents(2));
  });
  after(() => fake.close());

  it('verifies the certificate by default and refuses an unknown CA', async () => {
    const api = new WazuhApi({ url: fake.url, user: 'wazuh-wui', password: 'wazuh-wui-pass' });
    await assert.rejects(api.listAgents(), /certificate/i);
    await api.close();
  });

  it('trusts the CA file it is given', async () => {
    const api = new WazuhApi({ url: fake.url, user: 'wazuh-wui', password: 'wazuh-wui-pass', caFile: `${TLS}/ca.pem` });
    assert.equal((await api.listAgents()).length, 2);
    await api.close();
  });

  it('verifyTls: false accepts it (lab only)', async () => {
    const api = new WazuhApi({ url: fake.url, user: 'wazuh-wui', password: 'wazuh-wui-pass', verifyTls: false });
    assert.equal((await api.listAgents()).length, 2);
    await api.close();
  });
});

function fakeTokenOf(seconds: number): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'ES512' })}.${b64({ nbf: 1000, exp: 1000 + seconds })}.sig`;
}
