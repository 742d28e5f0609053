// A corpus loads even where some of its rules cannot: refused rules of rules.paths are skipped and reported
// (start-up summary, /metrics, GET /api/v1/rules/refused); rules.strict makes any refusal fatal; the built-in
// pack is always strict. Rules here are real SigmaHQ files (shared data, DRL 1.1) and inline YAML.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { configSchema } from '../../src/config/schema.js';
import { loadConfiguredRules, reportRefusals, ruleLoad, StartupError } from '../../src/vigil.js';
import { call, userSession } from '../helpers/session.js';
import { scrape, startVigil, type Running } from '../helpers/vigil.js';

function corpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-corpus-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'ok.yml'), 'title: Good\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 4625}\n  condition: s\n');
  writeFileSync(join(dir, 'sub', 'okta.yml'), 'title: Okta\nlogsource: {product: okta, service: okta}\ndetection:\n  s: {eventType: x}\n  condition: s\n');
  writeFileSync(join(dir, 'sub', 'bad.yml'), 'title: Bad\nlogsource: {product: windows}\ndetection:\n  s: {F|contains|re: x}\n  condition: s\n');
  return dir;
}

describe('refused rules in rules.paths', () => {
  it('are skipped and reported; rules.strict makes them fatal', () => {
    const dir = corpus();
    const config = configSchema.parse({ rules: { builtin: false, paths: [dir] } });
    const set = loadConfiguredRules(ruleLoad(config));
    assert.deepEqual(set.rules.map((r) => r.ref.title), ['Good']);
    assert.deepEqual(set.problems.map((p) => [p.rule, p.kind]).sort(), [['Bad', 'rejected'], ['Okta', 'unsupported']]);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    reportRefusals(set, log);
    const summary = lines.map((l) => JSON.parse(l)).find((l) => l.level === 40);
    assert.equal(summary.msg, '2 rules refused and skipped (invalid 1, logsource 1); rules.strict makes this fatal');
    assert.deepEqual(summary.byReason, { invalid: 1, logsource: 1 });
    const strict = configSchema.parse({ rules: { builtin: false, paths: [dir], strict: true } });
    assert.throws(() => loadConfiguredRules(ruleLoad(strict)), (e: unknown) => e instanceof StartupError && /rules\.strict/.test((e as Error).message) && /okta\.yml/.test((e as Error).message));
  });

  it('the built-in pack is always strict', () => {
    // A path given as a list (as the built-in pack is) is strict.
    const dir = corpus();
    assert.throws(() => loadConfiguredRules([dir]), StartupError);
  });
});

describe('vigil serve with a corpus that holds refused rules', () => {
  let v: Running;
  let dir: string;
  before(async () => {
    dir = corpus();
    v = await startVigil({ rules: { paths: [dir] } });
  });
  after(() => v?.stop());

  it('starts, and says what it refused: /metrics and GET /api/v1/rules/refused', async () => {
    const text = await scrape(v);
    assert.match(text, /vigil_rules_refused\{reason="logsource"\} 1\b/);
    assert.match(text, /vigil_rules_refused\{reason="invalid"\} 1\b/);
    assert.match(text, /vigil_rules_loaded\{kind="detection"\} [1-9]/);
    const viewer = await userSession(v, 'vera', 'viewer');
    const refused = await call(v, 'GET', '/api/v1/rules/refused', viewer);
    assert.equal(refused.status, 200);
    const okta = refused.json.find((r: any) => r.rule === 'Okta');
    assert.deepEqual(okta, { file: okta.file, rule: 'Okta', kind: 'unsupported', reason: 'logsource', message: 'logsource product "okta", service "okta": Wazuh has no Okta module' });
    assert.match(okta.file, /sub\/okta\.yml$/);
    const rules = await call(v, 'GET', '/api/v1/rules', viewer);
    assert.ok(rules.json.some((r: any) => r.title === 'Good'));
  });
});
