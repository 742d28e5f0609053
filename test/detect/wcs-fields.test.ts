// Wazuh 5.x findings (WCS) as Vigil events: the field table, the keyword levels, the rules' 5.x gaps at load,
// and the raw-line prefilter of vigil replay, on the REAL FIM finding of shared/data/wazuh5/ and SYNTHETIC ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/detector.js';
import { fieldAccessor } from '../../src/detect/fields.js';
import { Prefilter } from '../../src/detect/prefilter.js';
import { checkReferences, loadRules, parseRuleFile, type RuleSet } from '../../src/detect/rules.js';
import { toEvent } from '../../src/model/event.js';
import { describeGaps } from '../../src/detect/wcs-gaps.js';
import { alertViewOf, levelKeyword, levelNumber } from '../../src/model/wcs.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { failedLogon4625Finding, realFimFinding } from '../helpers/wcs-fixtures.js';

describe('Wazuh 5.x findings as events', () => {
  it('a finding (as an indexer hit) is a wcs event keyed by the event it was found in', () => {
    const hit = realFimFinding() as any;
    const e = toEvent(hit, JSON.stringify(hit));
    assert.equal(e.format, 'wcs');
    assert.equal(e.id, '6dfKTZ8BL87M59AHMEfF');
    assert.equal(e.key, '.ds-wazuh-events-v5-system-activity-000001/6dfKTZ8BL87M59AHMEfF');
    assert.equal(e.time, Date.parse('2026-07-10T20:48:31.676Z'));
    assert.equal(toEvent(hit._source).key, e.key, 'the bare _source (a webhook body) has the same key');
  });

  it('Sigma and 4.x field names read WCS; WCS names read 4.x alerts', () => {
    const f = (failedLogon4625Finding({ ip: '203.0.113.7', user: 'bob', time: new Date() }) as any)._source;
    const a = failedLogon4625({ ip: '203.0.113.7', user: 'bob', time: new Date() }) as any;
    for (const [field, want] of [['EventID', '4625'], ['IpAddress', '203.0.113.7'], ['TargetUserName', 'bob'], ['Channel', 'Security'], ['data.win.system.severityValue', 'AUDIT_FAILURE'], ['agent.id', '003']] as const)
      assert.equal(fieldAccessor('wcs', field)(f), want, field);
    assert.equal(fieldAccessor('wazuh', 'source.ip')(a), '203.0.113.7');
    assert.equal(fieldAccessor('wazuh', 'event.code')(a), '4625');
    assert.equal(fieldAccessor('wazuh', 'wazuh.rule.level')(a), 'low');
    assert.equal(fieldAccessor('wcs', 'LogonType')(f), undefined, 'WCS has no logon type');
  });

  it('keyword levels map to and from 0–16', () => {
    assert.deepEqual(['informational', 'low', 'medium', 'high', 'critical'].map(levelNumber), [3, 6, 9, 13, 16]);
    assert.deepEqual([1, 3, 4, 6, 7, 9, 10, 13, 14, 16].map(levelKeyword), ['informational', 'informational', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
    assert.equal(levelKeyword(0), undefined);
  });

  it('the 4.x view of the real FIM finding is what a 4.x 550 alert says', () => {
    const v = alertViewOf((realFimFinding() as any)._source);
    assert.equal(v.rule.id, '550');
    assert.equal(v.rule.level, 9);
    assert.equal(v.agent.name, 'Ubuntu-24');
    assert.equal(v.syscheck.path, '/etc/ssh/sshd_config');
    assert.equal(v.syscheck.sha256_after, 'fcd151781a54f23209f3fe7e91b652339c6b482956ef8060143229c0ccc4112e');
    assert.deepEqual(v.rule.mitre.id, ['T1565', 'T1036']);
  });

  it('the built-in FIM rule fires on the real 5.x finding', () => {
    const set = loadRules([BUILTIN_RULES]);
    const ds = new Detector(set).process(toEvent(realFimFinding()));
    assert.deepEqual(ds.map((d) => d.rule.title), ['File Integrity Change On A Critical Path']);
  });

  it('a rule that needs a field WCS lacks says so at load', () => {
    const set: RuleSet = { rules: [], problems: [], files: [] };
    parseRuleFile(
      `title: Network logon failures\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 4625, LogonType: 3, Status|startswith: '0xc000006'}\n  condition: sel\nlevel: low\n`,
      'x.yml',
      set,
    );
    assert.deepEqual(set.problems, []);
    assert.deepEqual(set.rules[0]!.wcsGaps, ['LogonType (data.win.eventdata.logonType)', 'Status (data.win.eventdata.status)']);
    // The built-in rules of the logsources mapped on 5.x documents (Windows, sshd, Wazuh); the cloud, web, auditd and
    // sudo rules read 4.x alerts only (README "Logsources").
    const on5x = (r: { ref: { source?: string } }) => /rules\/(windows|wazuh)\/|rules\/linux\/ssh_/.test(r.ref.source ?? '');
    const ssh = loadRules([BUILTIN_RULES]).rules.filter((r) => on5x(r) && r.wcsGaps.length > 0).map((r) => `${r.ref.title}: ${r.wcsGaps.join(', ')}`);
    // Wazuh's own 4.x correlations (5712, 5720, 5763, 60204, 60115) have no 5.x equivalent: those rules read 4.x alerts.
    const none = (ids: string[]) => ids.map((id) => `rule.id ${id} (a Wazuh 4.x rule with no 5.x equivalent)`).join(', ');
    assert.deepEqual(ssh, [
      'SSH Login Attempt For A Non-Existent User: rule.id 5710 (a Wazuh 4.x rule with no 5.x equivalent)',
      `Wazuh SSH Brute Force Alert: ${none(['5712', '5720', '5763'])}`,
      `Wazuh Windows Multiple Logon Failures Alert: ${none(['60204', '60115'])}`,
      `Wazuh Multiple Authentication Failures Alert: ${none(['5712', '5720', '5763', '60204', '60115'])}`,
    ]);
  });

  it('a gap names the field where the rule\'s own source reads it, or the source Vigil reads from 4.x alerts only', () => {
    const load = (yaml: string) => {
      const set: RuleSet = { rules: [], problems: [], files: [] };
      parseRuleFile(yaml, 'x.yml', set);
      checkReferences(set);
      assert.deepEqual(set.problems, []);
      return set.rules;
    };
    // A proxy rule: Suricata/Squid are read from 4.x alerts only; its c-useragent is no Windows field.
    const [proxy] = load(`title: p\nlogsource: {category: proxy}\ndetection:\n  s: {c-useragent|contains: sqlmap}\n  condition: s\n`);
    assert.deepEqual(proxy!.wcsGaps, ['Proxy (Squid access log, Suricata EVE http) (a source Vigil reads from Wazuh 4.x alerts only)']);
    assert.equal(describeGaps(proxy!.wcsGaps), 'on Wazuh 5.x input it matches nothing: Vigil reads Proxy (Squid access log, Suricata EVE http) from Wazuh 4.x alerts only');
    // A Linux syslog rule on a decoder field: data.srcip is source.ip in WCS, so no gap, and it matches a 5.x document.
    const [ssh] = load(`title: s\nlogsource: {product: linux, service: sshd}\ndetection:\n  s: {srcip: 203.0.113.7}\n  condition: s\n`);
    assert.deepEqual(ssh!.wcsGaps, []);
    const doc = { '@timestamp': '2026-11-21T10:00:00Z', wazuh: { integration: { name: 'linux' } }, process: { name: 'sshd' }, source: { ip: '203.0.113.7' }, event: { original: 'x' } };
    assert.equal(ssh!.kind === 'detection' && ssh!.match.wcs(doc), true);
    // A decoder field WCS has no row for is a gap under its own alert path.
    const [user] = load(`title: u\nlogsource: {product: linux, service: sshd}\ndetection:\n  s: {extra_data: x}\n  condition: s\n`);
    assert.deepEqual(user!.wcsGaps, ['extra_data (data.extra_data)']);
    // A correlation's group-by field on the rule it counts: AWS is 4.x only.
    const [, corr] = load(`title: b\nname: base\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName: CreateAccessKey}\n  condition: s\n---\ntitle: c\ncorrelation: {type: event_count, rules: [base], group-by: [userIdentity.arn], timespan: 10m, condition: {gte: 5}}\n`);
    assert.deepEqual(corr!.wcsGaps, ['AWS CloudTrail (a source Vigil reads from Wazuh 4.x alerts only)']);
  });

  it('the raw-line prefilter of vigil replay never drops a 5.x finding a rule can match', () => {
    const set = loadRules([BUILTIN_RULES]);
    const pf = new Prefilter(set.rules);
    assert.ok(pf.mayMatch(JSON.stringify(realFimFinding())), 'the FIM finding has no "syscheck": key and no "id":"550"');
    assert.ok(pf.mayMatch(JSON.stringify(failedLogon4625Finding({ ip: '203.0.113.7', time: new Date() }))));
  });
});
