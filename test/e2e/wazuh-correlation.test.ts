// Wazuh's own correlation alerts (sshd 5712 "brute force trying to get access", level 10; Windows 60204
// "Multiple Windows Logon Failures") become incidents by default, below the forwarding levels, and fold into
// the same incident as Vigil's own detection of the same attack from the same address, whichever comes first.
// Issue 12, item 17. The 5712 alert is REAL (shared/data/wazuh/sshd-5712-integratord-testcase.ndjson, Wazuh QA,
// GPLv2); every other alert is SYNTHETIC, in the shape of that alert (sshd) or of test/helpers/fixtures.ts (Windows).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, ndjson, readShared } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

const REAL_5712 = JSON.parse(readShared('data/wazuh/sshd-5712-integratord-testcase.ndjson').trim());
let serial = 0;
const stamp = (t: Date) => t.toISOString().replace('Z', '+0000');

/** SYNTHETIC: the real 5712 alert's shape with another rule, address, user and time. */
function sshd(o: { rule: '5710' | '5760' | '5712' | '5763'; ip: string; user: string; time: Date }): Record<string, unknown> {
  const a = structuredClone(REAL_5712);
  const rules = {
    '5710': { level: 5, description: 'sshd: Attempt to login using a non-existent user', groups: ['syslog', 'sshd', 'authentication_failed', 'invalid_login'] },
    '5760': { level: 5, description: 'sshd: authentication failed.', groups: ['syslog', 'sshd', 'authentication_failed'] },
    '5712': { level: 10, description: 'sshd: brute force trying to get access to the system. Non existent user.', groups: ['syslog', 'sshd', 'authentication_failures'] },
    '5763': { level: 10, description: 'sshd: brute force trying to get access to the system. Authentication failed.', groups: ['syslog', 'sshd', 'authentication_failures'] },
  } as const;
  const r = rules[o.rule];
  a.rule = { ...a.rule, id: o.rule, level: r.level, description: r.description, groups: [...r.groups] };
  if (o.rule === '5710' || o.rule === '5760') (delete a.rule.frequency, delete a.previous_output, delete a.rule.mitre);
  a.timestamp = stamp(o.time);
  a.id = `${Math.floor(o.time.getTime() / 1000)}.${900000 + ++serial}`;
  a.agent = { id: '001', name: 'web01' };
  const line = o.rule === '5710' || o.rule === '5712' ? `Invalid user ${o.user} from ${o.ip} port 56404` : `Failed password for ${o.user} from ${o.ip} port 56404 ssh2`;
  a.full_log = `Nov 21 10:00:00 web01 sshd[17584]: ${line}`;
  a.data = { srcip: o.ip, srcport: '56404', ...(o.rule === '5710' || o.rule === '5712' ? { srcuser: o.user } : { dstuser: o.user }) };
  return a;
}

/** SYNTHETIC Windows 60204 (no real one is public): the 4625 alert of the fixtures under rule 60204, level 10. */
function windows60204(ip: string, time: Date): Record<string, unknown> {
  const a = burst(ip, 1, time, 1000)[0] as any;
  a.rule = { ...a.rule, id: '60204', level: 10, description: 'Multiple Windows Logon Failures', frequency: 8, groups: ['windows', 'windows_security', 'authentication_failures'], mitre: { id: ['T1110'], tactic: ['Credential Access'], technique: ['Brute Force'] } };
  return a;
}

describe('item 17: Wazuh correlation alerts become incidents, folded with Vigil\'s own detection of the attack', () => {
  let v: Running;
  let smtp: TestSmtp;
  let alice: Session;
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  let total = 0;
  const ingest = async (alerts: unknown[]) => {
    total += alerts.length;
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
  };
  const incidentsOf = async (ip: string, n = 1) => {
    let items: any[] = [];
    await until(async () => {
      items = (await call(v, 'GET', `/api/v1/incidents?status=open,acknowledged,resolved&indicator=${ip}`, alice)).json.items ?? [];
      return items.length >= n;
    }, 15_000, `the incident of ${ip}`);
    return items;
  };
  const settled = () => until(() => v.vigil.runner.position >= total, 15_000, 'every alert processed');

  before(async () => {
    smtp = await startSmtp();
    v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } } });
    alice = await userSession(v, 'alice', 'analyst');
  });
  after(async () => {
    await v?.stop();
    await smtp?.close();
  });

  it('the real sshd 5712 alert (level 10, under the forwarding levels 12-16) is an incident by default, titled by Wazuh', async () => {
    await ingest([REAL_5712]);
    const [i] = await incidentsOf('172.17.1.1');
    assert.equal(i.title, 'sshd: brute force trying to get access to the system. Non existent user. — 172.17.1.1');
    assert.deepEqual(i.entity, { 'data.srcip': '172.17.1.1' });
    const mail = (await smtp.waitFor(1, 20_000)).find((m) => m.headers.get('x-vigil-incident') === i.id)!;
    assert.match(mail.subject ?? '', /^\[Vigil\] HIGH: sshd: brute force trying to get access to the system\. Non existent user\. from 172\.17\.1\.1 \(1 event\)$/);
    assert.match(mail.text ?? '', /Invalid user paco from 172\.17\.1\.1 port 56404/, 'what the agent logged');
    assert.match(mail.text ?? '', /Find out what runs on 172\.17\.1\.1 \(an internal address\)/);
    assert.doesNotMatch(mail.text ?? '', /Block 172\.17\.1\.1/, 'no block proposed for a private address');
  });

  it('Vigil\'s SSH brute force first, then Wazuh\'s 5763 from the same address: one incident, both detections', async () => {
    const ip = '203.0.113.70';
    await ingest([...Array.from({ length: 8 }, (_, k) => sshd({ rule: '5760', ip, user: 'deploy', time: ago(120 - k * 5) }))]);
    await incidentsOf(ip);
    await ingest([sshd({ rule: '5763', ip, user: 'deploy', time: ago(80) })]);
    await settled();
    const items = await incidentsOf(ip);
    assert.equal(items.length, 1, items.map((x) => x.title).join('\n'));
    const d = (await call(v, 'GET', `/api/v1/incidents/${items[0].id}`, alice)).json;
    assert.equal(d.incident.title, `SSH Brute Force From One Source Address — ${ip}`);
    assert.deepEqual(d.detections.map((x: { ruleTitle: string }) => x.ruleTitle).sort(), ['SSH Brute Force From One Source Address', 'Wazuh SSH Brute Force Alert']);
    assert.equal(d.incident.detectionCount, 2);
    assert.equal(d.incident.eventCount, 9, 'eight failures and Wazuh\'s own alert');
    assert.equal(d.evidence.length, 9);
    assert.ok(d.evidence.some((e: { wazuhRule: string }) => e.wazuhRule === '5763'));
  });

  it('Wazuh\'s 5712 first, then Vigil\'s own invalid-user storm from the same address: one incident, titled by Wazuh', async () => {
    const ip = '203.0.113.71';
    await ingest([sshd({ rule: '5712', ip, user: 'paco', time: ago(200) })]);
    await incidentsOf(ip);
    await ingest(['oracle', 'test', 'ubuntu', 'pi', 'git'].map((user, k) => sshd({ rule: '5710', ip, user, time: ago(190 - k * 5) })));
    await settled();
    const items = await incidentsOf(ip);
    assert.equal(items.length, 1, items.map((x) => x.title).join('\n'));
    assert.equal(items[0].title, `sshd: brute force trying to get access to the system. Non existent user. — ${ip}`);
    assert.equal(items[0].detectionCount, 2);
    assert.equal(items[0].eventCount, 6);
  });

  it('Windows 60204 folds into Vigil\'s Windows brute force of the same address', async () => {
    const ip = '203.0.113.72';
    await ingest([...burst(ip, 6, ago(100), 2000), windows60204(ip, ago(85))]);
    await settled();
    const items = await incidentsOf(ip);
    assert.equal(items.length, 1, items.map((x) => x.title).join('\n'));
    assert.equal(items[0].title, `Windows Brute Force From One Source Address — ${ip}`);
    assert.equal(items[0].detectionCount, 2);
    assert.equal(items[0].eventCount, 7, 'the 60204 alert is one event, though two rules saw it');
    const d = (await call(v, 'GET', `/api/v1/incidents/${items[0].id}`, alice)).json;
    assert.equal(d.evidence.length, 7);
    assert.ok(d.incident.mitre.some((t: { id: string }) => t.id === 'T1110'));
  });
});
