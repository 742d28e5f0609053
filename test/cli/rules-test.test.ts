// `vigil rules test` over the built-in pack (every rule must pass its own test events) and over a broken copy
// of it (the command must say which case failed and exit non-zero).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Detector } from '../../src/detect/detector.js';
import { runRuleTests } from '../../src/detect/ruletest.js';
import { loadRules } from '../../src/detect/rules.js';
import { toEvent } from '../../src/model/event.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { ROOT } from '../helpers/fixtures.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');
const vigil = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });

describe('vigil rules test', () => {
  it('the built-in pack passes: every rule that alerts has positive and negative test events', () => {
    const r = vigil(['rules', 'test']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^pass {2}Windows Brute Force From One Source Address {2}\(rules\/windows\/brute_force_4625\.yml, \d+ cases\)$/m);
    assert.match(r.stdout, /\n35 rules tested: 35 passed, 0 failed; \d+ cases; 0 untested; 0 errors\n$/);
    const report = runRuleTests([BUILTIN_RULES]);
    for (const result of report.results) {
      assert.ok(result.cases.some((c) => c.kind === 'should_fire'), `${result.rule} has no should_fire case`);
      assert.ok(result.cases.some((c) => c.kind === 'should_not_fire'), `${result.rule} has no should_not_fire case`);
    }
  });

  it('every built-in rule carries MITRE ATT&CK tags (the Wazuh forwarder carries Wazuh’s own per alert)', () => {
    const { rules } = runRuleTests([BUILTIN_RULES]);
    for (const r of rules.rules) {
      if (r.ref.title === 'Wazuh Alert At Or Above The Forwarding Level') continue;
      assert.ok(r.ref.tags.some((t) => /^attack\.t\d{4}/.test(t)), `${r.ref.title} has no technique tag`);
      assert.ok(r.ref.tags.some((t) => /^attack\.[a-z_]+$/.test(t)), `${r.ref.title} has no tactic tag`);
    }
  });

  it('a rule that no longer fires on its events fails, named with its case, and the exit code is 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-test-'));
    cpSync(BUILTIN_RULES, dir, { recursive: true });
    const file = join(dir, 'windows/brute_force_4625.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('gte: 5', 'gte: 50'));
    const r = vigil(['rules', 'test', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL {2}Windows Brute Force From One Source Address/m);
    assert.match(r.stdout, /should_fire "five failures from one address within five minutes fire once": did not fire/);
    assert.match(r.stdout, /35 rules tested: (3[1-4]) passed, [1-4] failed/);
  });

  it('a test file naming an unknown rule, and a rule without tests, are reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-test-'));
    cpSync(join(BUILTIN_RULES, 'windows/audit_log_cleared_1102.yml'), join(dir, 'cleared.yml'));
    cpSync(join(BUILTIN_RULES, 'windows/service_installed_7045.yml'), join(dir, 'service.yml'));
    writeFileSync(join(dir, 'cleared.test.yml'), 'rule: No Such Rule\nshould_fire: []\n');
    const r = vigil(['rules', 'test', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /error {2}.*cleared\.test\.yml: "rule: No Such Rule" names no rule loaded from cleared\.yml/);
    assert.match(r.stdout, /untested {2}Windows Service Installed/);
  });

  it('the forwarding level is the wazuh_forward_levels placeholder: 12-16 by default, set in detect.placeholders', () => {
    // The real level-7 FIM alert from the rule's own test events (a level-10 sshd brute force is the Wazuh
    // brute-force rules' at any level, so it is not the forwarding rule's to show).
    const tests = parse(readFileSync(join(BUILTIN_RULES, 'wazuh/wazuh_high_level_alert.test.yml'), 'utf8'));
    const alert = tests.should_not_fire.find((c: { name: string }) => c.name.startsWith('a level-7')).events[0];
    const forwarded = (placeholders?: Record<string, string[]>) => {
      const set = loadRules([join(BUILTIN_RULES, 'wazuh/wazuh_high_level_alert.yml')], ROOT, { placeholders });
      assert.deepEqual(set.problems, []);
      return new Detector(set).process(toEvent(alert)).length;
    };
    assert.equal(forwarded(), 0);
    assert.equal(forwarded({ wazuh_forward_levels: ['7', '8', '9', '10', '11', '12', '13', '14', '15', '16'] }), 1);
  });

  it('--config supplies the placeholders: forwarding level 7 and up makes the level-7 negative case fire', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-test-'));
    const config = join(dir, 'vigil.yaml');
    writeFileSync(config, "detect:\n  placeholders:\n    wazuh_forward_levels: ['7', '8', '9', '10', '11', '12', '13', '14', '15', '16']\n");
    const r = vigil(['rules', 'test', '--config', config, join(BUILTIN_RULES, 'wazuh')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /should_not_fire "a level-7 FIM alert \(real\)": fired 1 time\(s\)/);
    assert.doesNotMatch(r.stdout, /should_not_fire "a level-10 alert \(real\)": fired/, 'a brute-force correlation is never forwarded twice');
  });
});
