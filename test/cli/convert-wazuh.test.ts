// `vigil rules convert-wazuh` on Wazuh's own 4.x rule files (test/data/wazuh-rules/, GPL-2.0, unchanged from
// wazuh/wazuh v4.14.7). The converted 60204 must fire on the eighth failed logon from one address within 240 s,
// as Wazuh 4.x does, and not on seven.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Detector } from '../../src/detect/detector.js';
import { loadRules, type RuleSet } from '../../src/detect/rules.js';
import type { Detection } from '../../src/model/index.js';
import { toEvent } from '../../src/model/event.js';
import { osMatchToRe2, osRegexToRe2 } from '../../src/wazuh/os-regex.js';
import { burst, readShared, ROOT } from '../helpers/fixtures.js';
import { burstFindings } from '../helpers/wcs-fixtures.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');
const DATA = join(ROOT, 'test/data/wazuh-rules');
const FILES = ['0015-ossec_rules.xml', '0095-sshd_rules.xml', '0575-win-base_rules.xml', '0580-win-security_rules.xml'].map((f) => join(DATA, f));
const T0 = new Date('2026-11-21T10:00:00Z');

let out: string;
let report: string;
let rules: RuleSet;

before(() => {
  out = mkdtempSync(join(tmpdir(), 'vigil-convert-'));
  const res = spawnSync(process.execPath, [BIN, 'rules', 'convert-wazuh', ...FILES, '--out', out], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  report = res.stderr;
  rules = loadRules([out], out);
});
after(() => rmSync(out, { recursive: true, force: true }));

function run(alerts: Record<string, unknown>[]): Detection[] {
  const detector = new Detector(rules);
  return alerts.flatMap((a) => detector.process(toEvent(a)));
}
const named = (ds: Detection[], id: string) => ds.filter((d) => d.rule.title === rules.rules.find((r) => r.name === `wazuh_4x_${id}`)?.ref.title);

describe('vigil rules convert-wazuh', () => {
  it('writes one Sigma file per Wazuh file, and every converted rule loads', () => {
    for (const f of ['0015-ossec_rules.yml', '0095-sshd_rules.yml', '0575-win-base_rules.yml', '0580-win-security_rules.yml'])
      assert.match(readFileSync(join(out, f), 'utf8'), /^# Sigma rules converted from the Wazuh 4\.x rule file .* GPL-2\.0/s);
    assert.deepEqual(rules.problems, []);
    assert.ok(rules.rules.filter((r) => r.kind === 'correlation').length >= 10);
  });

  it('reports the frequency rules as correlations with their window, threshold and grouping', () => {
    assert.match(report, /correlation +60204 +Multiple Windows Logon Failures: event_count ≥ 8 in 240s by data\.win\.eventdata\.ipAddress over group authentication_failed/);
    assert.match(report, /correlation +5712 .*event_count ≥ 8 in 120s by data\.srcip over rule 5710/);
    assert.match(report, /correlation +5720 .*event_count ≥ 8 in 360s by data\.srcip over rule 5716/);
    assert.match(report, /correlation +5763 .*event_count ≥ 8 in 120s by data\.srcip over rule 5760/);
  });

  it('lists what it cannot carry over, with the reason', () => {
    assert.match(report, /not converted +501 +<if_fts>/);
    assert.match(report, /not converted +533 +<check_diff>/);
    assert.match(report, /not converted +5714 +it also puts conditions on the event that completes the count/);
    assert.match(report, /0580-win-security_rules\.xml: 130 rules: \d+ detection rules, 5 correlations, \d+ folded .*, 1 not converted/);
  });

  it('the converted 60204 fires on 8 failed logons in 240 s from one address, as Wazuh 4.x does', () => {
    const alerts = burst('203.0.113.7', 8, T0, 30_000); // 0 s … 210 s
    const ds = named(run(alerts), '60204');
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.count, 8);
    assert.deepEqual(ds[0]!.group, { 'data.win.eventdata.ipAddress': '203.0.113.7' });
    assert.equal(ds[0]!.time, alerts[7]!.timestamp ? Date.parse('2026-11-21T10:03:30Z') : 0);
    assert.equal(ds[0]!.rule.level, 'high');
  });

  it('and not on 7, nor on 8 spread over more than 240 s, nor on 8 from different addresses', () => {
    assert.equal(named(run(burst('203.0.113.7', 7, T0, 30_000)), '60204').length, 0);
    assert.equal(named(run(burst('203.0.113.7', 8, T0, 35_000)), '60204').length, 0, '8 failures over 245 s');
    const mixed = [...burst('203.0.113.7', 4, T0, 20_000), ...burst('198.51.100.9', 4, new Date(T0.getTime() + 5_000), 20_000)];
    assert.equal(named(run(mixed), '60204').length, 0);
  });

  it('on Wazuh 5.x findings of the same failures (synthetic WCS documents) the converted 60204 fires on 8, not on 7', () => {
    const eight = named(run(burstFindings('203.0.113.7', 8, T0, 30_000)), '60204');
    assert.equal(eight.length, 1);
    assert.equal(eight[0]!.count, 8);
    assert.deepEqual(eight[0]!.group, { 'data.win.eventdata.ipAddress': '203.0.113.7' });
    assert.equal(named(run(burstFindings('203.0.113.7', 7, T0, 30_000)), '60204').length, 0);
    assert.equal(named(run(burstFindings('203.0.113.7', 8, T0, 35_000)), '60204').length, 0);
  });

  it('a successful logon is not counted: only alerts of group authentication_failed are', () => {
    const success = burst('203.0.113.7', 8, T0, 10_000).map((a: any) => {
      a.data.win.system.eventID = '4624';
      a.data.win.system.severityValue = 'AUDIT_SUCCESS';
      return a;
    });
    assert.equal(named(run(success), '60204').length, 0);
  });

  it('the converted 5712 fires on the eight real "Invalid user" lines of Wazuh\'s own 5712 test case', () => {
    const real = JSON.parse(readShared('data/wazuh/sshd-5712-integratord-testcase.ndjson').split('\n')[0]!);
    const lines = [...String(real.previous_output).split('\n').reverse(), real.full_log as string];
    assert.equal(lines.length, 8);
    // SYNTHETIC alert envelopes (4.x sshd alert shape, reference wazuh.md §1.2) around the real log lines.
    const alerts = lines.map((line, i) => ({
      timestamp: new Date(Date.parse('2022-05-11T12:29:00Z') + i * 2500).toISOString().replace('Z', '+0000'),
      rule: { level: 5, id: '5710', description: 'sshd: Attempt to login using a non-existent user', groups: ['syslog', 'sshd', 'authentication_failed', 'invalid_login'] },
      agent: { id: '000', name: 'localhost.localdomain' },
      manager: { name: 'localhost.localdomain' },
      id: `1652272140.${i}`,
      full_log: line,
      predecoder: { program_name: 'sshd', hostname: 'localhost' },
      decoder: { parent: 'sshd', name: 'sshd' },
      data: { srcip: '172.17.1.1', srcuser: 'paco' },
      location: '/var/log/secure',
    }));
    assert.equal(named(run(alerts), '5712').length, 1);
    assert.equal(named(run(alerts.slice(0, 7)), '5712').length, 0);
  });
});

describe('Wazuh pattern languages as RE2', () => {
  it('OS_Regex classes, anchors and alternatives; case-insensitive', () => {
    assert.equal(osRegexToRe2('^529$|^4625$'), '(?i)^529$|^4625$');
    assert.equal(osRegexToRe2('\\.+'), '(?i)[\\s\\S]+');
    assert.equal(osRegexToRe2('user \\w+ from \\d+.\\d+'), '(?i)user [A-Za-z0-9@_-]+ from [0-9]+\\.[0-9]+');
    assert.equal(osRegexToRe2('a\\(b\\)\\$'), '(?i)a\\(b\\)\\$');
  });
  it('OS_Match is plain text with ^ $ |', () => {
    assert.equal(osMatchToRe2('^Failed|^error: PAM: Authentication', '(?:^|: )'), '(?i)(?:^|: )Failed|(?:^|: )error: PAM: Authentication');
    assert.equal(osMatchToRe2('a.b (c)'), '(?i)a\\.b \\(c\\)');
  });
});
