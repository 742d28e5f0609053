// The start-up loader (loadRulesAsync: YAML parsed on a second thread while the loading thread compiles) gives
// what the synchronous loader gives: the same rules, refusals and files, in the same order. On the SigmaHQ
// Windows corpus (shared data, DRL 1.1) and on a folder of generated files with broken ones among them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listRuleFiles, loadRules, loadRulesAsync, type RuleSet } from '../../src/detect/rules.js';
import { cleanDocuments } from '../../src/detect/rule-documents.js';
import { RuleReader, THREAD_FROM } from '../../src/detect/rule-reader.js';
import { SHARED } from '../helpers/fixtures.js';

const WINDOWS = join(SHARED, 'data/sigma/sigmahq/rules/windows');
const skip = !existsSync(WINDOWS) && `no SigmaHQ corpus at ${WINDOWS}`;

/** A rule set as plain data: what each rule is (its compiled matchers and field readers left out), in order. */
function view(set: RuleSet) {
  return {
    files: set.files,
    problems: set.problems,
    filters: (set.filters ?? []).map(({ title, id, key, rules, source, logsource }) => ({ title, id, key, rules, source, logsource })),
    rules: set.rules.map((r) => {
      if (r.kind === 'correlation') return r;
      const { ref, name, logsource, detection, filters, filterKeys, wcsGaps, sourceKey } = r;
      return { kind: r.kind, ref, name, logsource, detection, filters, filterKeys, wcsGaps, sourceKey };
    }),
  };
}

const rule = (n: number) =>
  `title: Rule ${n}\nid: rule-${n}\nname: rule_${n}\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: ${4600 + (n % 50)}, TargetUserName|contains: 'user${n}'}\n  condition: s\nlevel: high\n`;

/** More files than the thread is started for, with broken ones among them. */
function brokenCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-parallel-'));
  mkdirSync(join(dir, 'sub'));
  for (let n = 0; n < THREAD_FROM + 50; n++) writeFileSync(join(dir, n % 3 === 0 ? 'sub' : '.', `r${String(n).padStart(4, '0')}.yml`), rule(n));
  // Two clean documents in one file, the second with an anchor and its alias.
  writeFileSync(join(dir, 'r0110a.yml'), `${rule(2000)}---\ntitle: Aliased\nlogsource: {product: windows, service: security}\ndetection:\n  a: &sel {EventID: 4625}\n  b: *sel\n  condition: a and b\n`);
  // A YAML syntax error in the second of three documents: the others still load.
  writeFileSync(join(dir, 'r0100a.yml'), `${rule(1000)}---\ntitle: Broken\n  detection: [unclosed\n---\n${rule(1001)}`);
  // Valid YAML that is not a valid rule, and a construct Vigil does not evaluate.
  writeFileSync(join(dir, 'r0120a.yml'), 'title: No detection\nlogsource: {product: windows}\n');
  writeFileSync(join(dir, 'r0140a.yml'), 'title: Okta\nlogsource: {product: okta, service: okta}\ndetection:\n  s: {eventType: x}\n  condition: s\n');
  writeFileSync(join(dir, 'sub', 'r0160a.yml'), 'title: Regex\nlogsource: {product: windows}\ndetection:\n  s: {F|contains|re: x}\n  condition: s\n');
  // A correlation over earlier rules, one over a rule that does not exist, a filter, an empty file, a tab.
  writeFileSync(join(dir, 'r0180a.yml'), 'title: Count\ncorrelation:\n  type: event_count\n  rules: [rule-3, rule_4]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 3}\n');
  writeFileSync(join(dir, 'r0181a.yml'), 'title: Dangling\ncorrelation:\n  type: event_count\n  rules: [nope]\n  timespan: 5m\n  condition: {gte: 3}\n');
  writeFileSync(join(dir, 'r0182a.yml'), "title: Not user5\nfilter:\n  rules: [rule-5]\n  selection: {TargetUserName: 'user5x'}\n  condition: not selection\nlogsource: {product: windows, service: security}\n");
  writeFileSync(join(dir, 'r0190a.yml'), '');
  writeFileSync(join(dir, 'r0200a.yml'), 'title: Tab\n\tlevel: high\n');
  return dir;
}

describe('the parallel rule loader', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('loads the SigmaHQ Windows corpus as the synchronous loader does', { skip }, async () => {
    const sync = loadRules([WINDOWS]);
    const parallel = await loadRulesAsync([WINDOWS]);
    assert.ok(parallel.files.length >= THREAD_FROM, 'enough files for the second thread');
    assert.ok(parallel.rules.length > 2000 && parallel.problems.length > 0);
    assert.deepEqual(view(parallel), view(sync));
  });

  it('reports broken files as the synchronous loader does, with the same file and message', async () => {
    const dir = brokenCorpus();
    dirs.push(dir);
    const missing = join(tmpdir(), `vigil-parallel-missing-${process.pid}`);
    const sync = loadRules([dir, missing], dir);
    const parallel = await loadRulesAsync([dir, missing], dir);
    assert.deepEqual(view(parallel), view(sync));
    const problems = parallel.problems.map((p) => `${p.file}: ${p.kind}: ${p.message}`);
    assert.ok(problems.some((p) => /^r0100a\.yml: rejected: invalid YAML: /.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^r0200a\.yml: rejected: invalid YAML: /.test(p)), problems.join('\n'));
    assert.ok(problems.includes('r0120a.yml: rejected: missing "detection" map'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('r0140a.yml: unsupported: logsource')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('r0181a.yml: rejected: correlation refers to unknown rule(s): nope')), problems.join('\n'));
    assert.ok(problems.includes(`${missing}: rejected: cannot read: ENOENT`), problems.join('\n'));
    const titles = parallel.rules.map((r) => r.ref.title);
    for (const t of ['Rule 1000', 'Rule 1001', 'Rule 2000', 'Aliased', 'Count']) assert.ok(titles.includes(t), t);
    assert.deepEqual(parallel.filters?.map((f) => f.title), ['Not user5']);
  });

  it('hands out the documents the second thread parsed, and leaves it the files that are not clean YAML', async () => {
    const dir = brokenCorpus();
    dirs.push(dir);
    const files = listRuleFiles(dir);
    const here: string[] = [];
    const reader = new RuleReader(files, (file) => (here.push(file), [{ error: 'read here' }]));
    await reader.ended; // the thread claimed every file, as none was asked for yet
    const docs = [];
    for (let i = 0; i < files.length; i++) docs.push(await reader.documents(i));
    reader.close();
    assert.deepEqual(here.map((f) => f.slice(dir.length + 1)), ['r0100a.yml', 'r0200a.yml']);
    const clean = (f: string) => {
      try {
        return cleanDocuments(readFileSync(f, 'utf8'));
      } catch {
        return [{ error: 'read here' }];
      }
    };
    assert.deepEqual(docs, files.map(clean));
    assert.equal(docs[files.indexOf(join(dir, 'r0110a.yml'))]!.length, 2);
  });

  it('throws what the synchronous loader throws for a file it cannot read', async () => {
    const dir = brokenCorpus();
    dirs.push(dir);
    symlinkSync(join(dir, 'nowhere.yml'), join(dir, 'r0150a.yml'));
    assert.throws(() => loadRules([dir]), /ENOENT/);
    await assert.rejects(loadRulesAsync([dir]), /ENOENT/);
  });
});
