// The same attacks as Wazuh 4.x alerts and as Wazuh 5.x findings give the same incidents, counts and emails:
// brute force, password spray, success after failures, FIM on a critical path, sshd storm. Each version goes
// through its own Vigil (HTTP ingest → Sigma → triage → outbox → real SMTP), and what people see is compared.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { handled, successfulLogon4624 } from '../helpers/triage.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';
import { burstFindings, failedLogon4625Finding, realFimFinding, sshdFailureFinding, successfulLogon4624Finding } from '../helpers/wcs-fixtures.js';

const T0 = new Date('2026-07-10T20:40:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const SPRAY_USERS = Array.from({ length: 10 }, (_, i) => `user${i}`);

/** SYNTHETIC Wazuh 4.x sshd alert (rule 5760, reference wazuh.md §1.2: decoder sshd, data.srcip, data.dstuser). */
function sshdFailure4x(o: { ip: string; user: string; time: Date }, i: number) {
  return {
    timestamp: o.time.toISOString().replace('Z', '+0000'),
    rule: { level: 5, id: '5760', description: 'sshd: authentication failed.', groups: ['syslog', 'sshd', 'authentication_failed'], mitre: { id: ['T1110.001', 'T1021.004'], tactic: ['Credential Access', 'Lateral Movement'], technique: ['Password Guessing', 'SSH'] } },
    agent: { id: '003', name: 'ubuntu24' },
    manager: { name: 'wazuh-manager' },
    id: `${Math.floor(o.time.getTime() / 1000)}.${7000 + i}`,
    full_log: `Jul 10 20:40:00 ubuntu24 sshd[${2000 + i}]: Failed password for ${o.user} from ${o.ip} port ${40000 + i} ssh2`,
    predecoder: { program_name: 'sshd', hostname: 'ubuntu24' },
    decoder: { parent: 'sshd', name: 'sshd' },
    data: { srcip: o.ip, srcport: String(40000 + i), dstuser: o.user },
    location: 'journald',
  };
}

/** SYNTHETIC Wazuh 4.x FIM alert (rule 550, reference wazuh.md §1.3) for the same change as the real 5.x finding. */
function fim4x(finding: any) {
  const s = finding._source;
  return {
    timestamp: s['@timestamp'].replace('Z', '+0000'),
    rule: { level: 7, id: '550', description: 'Integrity checksum changed.', groups: ['ossec', 'syscheck', 'syscheck_entry_modified', 'syscheck_file'], mitre: { id: ['T1565.001'], tactic: ['Impact'], technique: ['Stored Data Manipulation'] } },
    agent: { id: s.wazuh.agent.id, name: s.wazuh.agent.name },
    manager: { name: 'wazuh-manager' },
    id: '1783716511.424242',
    full_log: "File '/etc/ssh/sshd_config' modified\nMode: whodata\nChanged attributes: size,mtime,md5,sha1,sha256\n",
    syscheck: { path: s.file.path, mode: 'whodata', event: 'modified', size_after: String(s.file.size), sha256_after: s.file.hash.sha256, sha1_after: s.file.hash.sha1, md5_after: s.file.hash.md5, uname_after: 'root', audit: { user: { name: 'root' }, process: { name: 'bash', id: '69594' } } },
    decoder: { name: 'syscheck_integrity_changed' },
    location: 'syscheck',
  };
}

function scenarios4x(): unknown[] {
  const bf = burst('203.0.113.7', 6, at(0), 30_000, 'administrator');
  const spray = SPRAY_USERS.map((u, i) => failedLogon4625({ ip: '198.51.100.20', user: u, time: at(60_000 + i * 20_000) }));
  const success = [...burst('203.0.113.50', 6, at(400_000), 10_000, 'svc-backup'), successfulLogon4624({ ip: '203.0.113.50', user: 'svc-backup', time: at(470_000) })];
  const storm = Array.from({ length: 20 }, (_, i) => sshdFailure4x({ ip: '192.0.2.77', user: 'root', time: at(900_000 + i * 3_000) }, i));
  return [...bf, ...spray, ...success, fim4x(realFimFinding()), ...storm];
}

function scenarios5x(): unknown[] {
  const bf = burstFindings('203.0.113.7', 6, at(0), 30_000, 'administrator');
  const spray = SPRAY_USERS.map((u, i) => failedLogon4625Finding({ ip: '198.51.100.20', user: u, time: at(60_000 + i * 20_000) }));
  const success = [...burstFindings('203.0.113.50', 6, at(400_000), 10_000, 'svc-backup'), successfulLogon4624Finding({ ip: '203.0.113.50', user: 'svc-backup', time: at(470_000) })];
  const storm = Array.from({ length: 20 }, (_, i) => sshdFailureFinding({ ip: '192.0.2.77', user: 'root', time: at(900_000 + i * 3_000) }));
  return [...bf, ...spray, ...success, realFimFinding(), ...storm];
}

/**
 * What may differ, by nature, between the two mails of one incident: event and incident ids (a 4.x alert id and
 * a 5.x document _id; incident ids are random), the Wazuh rule's own title, MITRE techniques and level (Wazuh 5 ships
 * other rules: a "low" finding shows as level 6, the top of 4–6), and the Windows details WCS does not carry
 * (logon type, status, workstation). Everything else must be the same.
 */
function comparable(text: string): string {
  return text
    .replace(/\[[^\]\n]+\]$/gm, '[<event-id>]')
    .replace(/^Incident: \w+$/gm, 'Incident: <id>')
    .replace(/#\/incidents\/\w+/g, '#/incidents/<id>')
    .replace(/ · incident \w+ · /g, ' · incident <id> · ')
    .replace(/^( +\+\d+ +Wazuh rule level) \d+$/gm, '$1 <n>')
    .replace(/^MITRE ATT&CK: .*$/gm, 'MITRE ATT&CK: <techniques>')
    .replace(/Failed authentication attempt - \S+ from \S+|sshd: authentication failed\./g, '<Wazuh rule title>')
    .replace(/\balert [^\s:]+:/g, 'alert <id>:')
    .replace(/\) [0-9a-f]{16}$/gm, ') <id>')
    .replace(/(EventID \d+), [^[\n]*?(?=  \[|$)/gm, '$1');
}

interface Seen {
  incidents: Record<string, unknown>[];
  mails: { subject: string; text: string }[];
}

async function observe(v: Running, smtp: TestSmtp, records: unknown[], expectedMails: number): Promise<Seen> {
  // One request: the pipeline takes the whole batch before any mail is written, so what a mail counts does not
  // depend on how fast this machine is.
  const res = await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(records));
  assert.equal(res.status, 202);
  assert.equal(res.json.accepted, records.length);
  await handled(v);
  await until(() => smtp.messages.length >= expectedMails, 15_000, `${expectedMails} mails`);
  await new Promise((r) => setTimeout(r, 300));
  const rows = await v.vigil.store.db
    .selectFrom('incidents')
    .select(['title', 'rule_id', 'level', 'status', 'entity_json', 'first_seen', 'last_seen', 'detection_count', 'event_count', 'severity_score'])
    .orderBy('title')
    .execute();
  const mails = smtp.messages
    .map((m) => ({ subject: m.subject ?? '', text: comparable(m.text ?? '') }))
    .sort((a, b) => a.subject.localeCompare(b.subject));
  return { incidents: rows as Record<string, unknown>[], mails };
}

describe('Wazuh 4.x alerts and Wazuh 5.x findings of the same attacks', () => {
  const runs: { v: Running; smtp: TestSmtp }[] = [];
  let v4: Seen;
  let v5: Seen;

  before(async () => {
    for (let i = 0; i < 2; i++) {
      const smtp = await startSmtp();
      const v = await startVigil({
        channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'Vigil <vigil@example.org>', to: ['soc@example.org'] } },
      });
      runs.push({ v, smtp });
    }
    v4 = await observe(runs[0]!.v, runs[0]!.smtp, scenarios4x(), 7);
    v5 = await observe(runs[1]!.v, runs[1]!.smtp, scenarios5x(), 7);
  });
  after(async () => {
    for (const r of runs) {
      await r.v.stop();
      await r.smtp.close();
    }
  });

  it('make the expected incidents from 4.x alerts', () => {
    // The spray's ten failures and the six before the successful logon are brute forces too.
    assert.deepEqual(
      v4.incidents.map((i) => `${i.title} (${i.event_count})`),
      [
        'File Integrity Change On A Critical Path — Ubuntu-24 (1)',
        'SSH Brute Force From One Source Address — 192.0.2.77 (20)',
        'Windows Brute Force From One Source Address — 198.51.100.20 (10)',
        'Windows Brute Force From One Source Address — 203.0.113.50 (6)',
        'Windows Brute Force From One Source Address — 203.0.113.7 (6)',
        'Windows Password Spray From One Source Address — 198.51.100.20 (10)',
        'Windows Successful Logon After Brute Force From The Same Address — 203.0.113.50 (6)',
      ],
    );
  });

  it('and the same incidents, with the same counts, times, levels and scores, from 5.x findings', () => {
    assert.deepEqual(v5.incidents, v4.incidents);
  });

  it('and the same emails', () => {
    assert.equal(v5.mails.length, v4.mails.length);
    for (let i = 0; i < v4.mails.length; i++) {
      assert.equal(v5.mails[i]!.subject, v4.mails[i]!.subject);
      assert.equal(v5.mails[i]!.text, v4.mails[i]!.text, v4.mails[i]!.subject);
    }
  });
});
