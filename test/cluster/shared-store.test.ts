// Two `vigil serve --cluster` processes on one PostgreSQL database, each in its own working directory (as on two
// machines): what they share through the store holds across them. The VirusTotal quota of 4 a minute is spent
// by both together (at most 4 calls in any minute at the fake VirusTotal), a session made on one node is valid
// on the other, and the login rate limit counts a client's attempts on both nodes together.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';
import { burst } from '../helpers/fixtures.js';
import { allReady, createDatabase, deleteStream, natsAvailable, postAlerts, query, startNode, unique, type RunningNode } from '../helpers/cluster.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { postgresAvailable, until } from '../helpers/vigil.js';

const ATTACKERS = 10;
const PER_MINUTE = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Most calls that fall within any one 60-second window. */
function mostInAMinute(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= 60_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function login(node: RunningNode, name: string, password: string): Promise<{ status: number; cookie?: string; csrf?: string }> {
  const res = await fetch(`${node.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const body = (await res.json().catch(() => ({}))) as { csrfToken?: string };
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  return { status: res.status, cookie, csrf: body.csrfToken };
}

describe('two nodes sharing one PostgreSQL store', { concurrency: false }, async () => {
  const available = (await postgresAvailable()) && (await natsAvailable());
  const skip = !available && 'needs PostgreSQL and NATS';
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let vt: FakeVirusTotal;
  let smtp: TestSmtp;
  const stream = unique('VS');
  const nodes: RunningNode[] = [];
  before(async () => {
    if (skip) return;
    db = await createDatabase();
    vt = await startFakeVirusTotal(['vt-key']);
    smtp = await startSmtp();
    const extra = [
      'enrich:',
      '  deadline: 1s',
      '  virustotal:',
      '    enabled: true',
      '    apiKey: vt-key',
      `    baseUrl: ${vt.url}`,
      '    quota:',
      `      perMinute: ${PER_MINUTE}`,
      '      perDay: 0',
      'auth:',
      '  loginAttemptsPerMinute: 4',
    ];
    for (const id of ['s1', 's2']) nodes.push(await startNode({ id, dbUrl: db.url, stream, smtpPort: smtp.port, partitions: 4, extra }));
    await allReady(nodes);
  });
  after(async () => {
    if (skip) return;
    for (const n of nodes) await n.kill();
    await smtp.close();
    await vt.close();
    await deleteStream(stream);
    await db.drop();
  });

  it(`${ATTACKERS} attacks over both nodes, VirusTotal at ${PER_MINUTE} a minute between them: ${ATTACKERS} incidents, at most ${PER_MINUTE} calls in any minute`, { skip }, async () => {
    for (let a = 1; a <= ATTACKERS; a++) {
      const alerts = burst(`45.9.60.${a}`, 6, new Date(Date.now() - 60_000), 2_000);
      for (let k = 0; k < alerts.length; k++) assert.equal(await postAlerts(nodes[(a + k) % 2]!, [alerts[k]]), 202);
    }
    await until(async () => Number((await query<{ n: string }>(db.url, 'select count(*) as n from incidents'))[0]!.n) === ATTACKERS, 60_000, `${ATTACKERS} incidents`);
    // Both nodes' brokers have lookups to make: the budget is spent at once, then every one of them waits.
    await until(() => vt.calls.length >= PER_MINUTE, 30_000, 'the minute budget spent');
    await sleep(8_000);
    const ips = vt.calls.map((c, k) => ({ ...c, at: vt.times[k]! })).filter((c) => c.kind === 'ip_addresses');
    const first = ips[0]!.at;
    assert.equal(ips.filter((c) => c.at < first + 60_000).length, PER_MINUTE, `the first minute's calls: ${ips.map((c) => c.id).join(', ')}`);
    assert.ok(mostInAMinute(ips.map((c) => c.at)) <= PER_MINUTE, 'no minute held more');
    assert.equal(new Set(ips.map((c) => c.id)).size, ips.length, 'no address looked up twice');
    const [spent] = await query<{ day_used: number }>(db.url, "select day_used from enrich_quota where provider = 'virustotal'");
    assert.equal(Number(spent!.day_used), ips.length, 'the ledger counted each call once');
    const incidents = await query<{ n: string }>(db.url, 'select count(*) as n from incidents');
    assert.equal(Number(incidents[0]!.n), ATTACKERS, 'one incident per attack');
    await smtp.waitFor(ATTACKERS, 30_000);
    await sleep(1000);
    assert.equal(new Set(smtp.messages.map((m) => m.messageId)).size, smtp.messages.length, 'no message twice');
  });

  it('a session made on one node is valid on the other', { skip }, async () => {
    const shown = nodes.map((n) => /user "admin" was created with password (\S+)/.exec(n.output())?.[1]).filter(Boolean);
    assert.equal(shown.length, 1, 'exactly one node made the first admin');
    const made = await login(nodes[0]!, 'admin', shown[0]!);
    assert.equal(made.status, 200);
    assert.ok(made.cookie);
    const me = await fetch(`${nodes[1]!.url}/api/v1/auth/me`, { headers: { cookie: made.cookie! } });
    assert.equal(me.status, 200, 'the other node knows the session');
    assert.equal(((await me.json()) as { name: string }).name, 'admin');
    // A write from the browser session carries its CSRF token, which is bound to the session on every node.
    const out = await fetch(`${nodes[1]!.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: made.cookie!, 'x-csrf-token': made.csrf! } });
    assert.equal(out.status < 300, true, `logout answered ${out.status}`);
    assert.equal((await fetch(`${nodes[0]!.url}/api/v1/auth/me`, { headers: { cookie: made.cookie! } })).status, 401, 'ended on one node, ended on both');
  });

  it('the login rate limit counts attempts on both nodes together', { skip }, async () => {
    // 4 a minute per client address; the successful login of the test before counted as one (on node 1).
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(nodes[(i + 1) % 2]!, 'admin', 'not-the-password')).status);
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
  });
});
