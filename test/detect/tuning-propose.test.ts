// The filter proposal on its own: what every false positive shares and no true positive has, as a Sigma filter
// that Vigil's own loader accepts and that excludes exactly those events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRules, type RuleSet } from '../../src/detect/rules.js';
import { toEvent } from '../../src/model/event.js';
import type { Event } from '../../src/model/index.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { proposeFilter, sigmaLiteral } from '../../src/tuning/propose.js';
import { failedLogon4625 } from '../helpers/fixtures.js';

const rules = loadRules([BUILTIN_RULES]);
const bruteForce = rules.rules.find((r) => r.name === 'windows_brute_force_by_ip')!;
const failedLogon = rules.rules.find((r) => r.name === 'windows_failed_logon')!;
const T = Date.parse('2026-11-20T02:00:00Z');

const incident = (ip: string, user: string, o: { workstation?: string } = {}): Event[] =>
  Array.from({ length: 5 }, (_, i) => {
    const a = failedLogon4625({ ip, user, time: new Date(T + i * 1000) }) as any;
    if (o.workstation) a.data.win.eventdata.workstationName = o.workstation;
    return toEvent(a);
  });

/** The rules with the proposal's filter added, as the loader applies it. */
function withProposal(yaml: string): RuleSet {
  const set = loadRules([BUILTIN_RULES], process.cwd(), {}, [{ file: 'proposal.yml', text: yaml }]);
  assert.deepEqual(set.problems, []);
  return set;
}

describe('filter proposal from false-positive verdicts', () => {
  it('names the shared account and address, not what the true positives share', () => {
    const p = proposeFilter(bruteForce, rules, [incident('10.0.5.20', 'svc_backup'), incident('10.0.5.20', 'svc_backup')], [incident('45.9.50.7', 'administrator')], T);
    assert.equal(p.filters.length, 1);
    assert.equal(p.filters[0]!.ruleId, failedLogon.ref.id);
    const fields = Object.fromEntries(p.filters[0]!.fields.map((f) => [f.field, f.cidr ?? f.values]));
    assert.deepEqual(fields, { TargetUserName: ['svc_backup'], IpAddress: ['10.0.5.20'] });
    const set = withProposal(p.yaml);
    const rule = set.rules.find((r) => r.name === 'windows_failed_logon')!;
    assert.ok(rule.kind === 'detection');
    const matches = (e: Event) => rule.match[e.format](e.data);
    assert.equal(incident('10.0.5.20', 'svc_backup').filter(matches).length, 0, 'the backup job is filtered');
    assert.equal(incident('45.9.50.7', 'administrator').filter(matches).length, 5, 'the attack is not');
    assert.equal(incident('10.0.5.20', 'administrator').filter(matches).length, 5, 'another account from the backup host is not');
  });

  it('addresses that differ but share a /24 the true positives are outside of become a cidr', () => {
    const p = proposeFilter(bruteForce, rules, [incident('10.0.5.20', 'svc_backup'), incident('10.0.5.21', 'svc_backup'), incident('10.0.5.77', 'svc_backup'), incident('10.0.5.90', 'svc_backup')], [incident('10.0.6.1', 'svc_backup')], T);
    const fields = Object.fromEntries(p.filters[0]!.fields.map((f) => [f.field, f.cidr ?? f.values]));
    assert.deepEqual(fields, { IpAddress: '10.0.5.0/24' }, 'the account is shared with the true positive, so it is not named');
    assert.match(p.yaml, /IpAddress\|cidr: 10\.0\.5\.0\/24/);
    const set = withProposal(p.yaml);
    const rule = set.rules.find((r) => r.name === 'windows_failed_logon')!;
    assert.ok(rule.kind === 'detection');
    assert.equal(incident('10.0.5.200', 'x').filter((e) => rule.match[e.format](e.data)).length, 0);
    assert.equal(incident('10.0.6.1', 'x').filter((e) => rule.match[e.format](e.data)).length, 5);
  });

  it('a wildcard in a value is escaped, so the filter excludes that value only', () => {
    const p = proposeFilter(bruteForce, rules, [incident('10.0.5.20', 'svc*backup', { workstation: 'BK?01' })], [incident('45.9.50.7', 'administrator')], T);
    const set = withProposal(p.yaml);
    const rule = set.rules.find((r) => r.name === 'windows_failed_logon')!;
    assert.ok(rule.kind === 'detection');
    assert.equal(incident('10.0.5.20', 'svc*backup', { workstation: 'BK?01' }).filter((e) => rule.match[e.format](e.data)).length, 0);
    assert.equal(incident('10.0.5.20', 'svc_other_backup', { workstation: 'BK?01' }).filter((e) => rule.match[e.format](e.data)).length, 5, 'not a wildcard');
    assert.equal(sigmaLiteral('a*b?c\\d'), 'a\\*b\\?c\\\\d');
  });

  it('proposes nothing, and says why, when false and true positives look alike or there is no false positive', () => {
    const same = proposeFilter(bruteForce, rules, [incident('45.9.50.7', 'administrator')], [incident('45.9.50.7', 'administrator')], T);
    assert.equal(same.yaml, '');
    assert.match(same.reason ?? '', /share no account, host, source address or process path/);
    const none = proposeFilter(bruteForce, rules, [], [incident('45.9.50.7', 'administrator')], T);
    assert.match(none.reason ?? '', /no false-positive incident/);
  });
});
