// Loading Sigma rules: what is rejected (invalid Sigma) or unsupported, always with the file and the construct,
// and Sigma filters (meta filters, shared/reference/sigma.md §1.9) applied to the rules they name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DetectionRule } from '../../src/detect/rules.js';
import { evtx, loadFiles, rule } from './sigma-helpers.js';

function problemOf(detection: string, extra = '') {
  const { set } = loadFiles({ 'r.yml': rule(detection, extra) });
  assert.equal(set.rules.length, 0, 'the rule is not loaded');
  assert.equal(set.problems.length, 1);
  const p = set.problems[0]!;
  assert.equal(p.file, 'r.yml');
  assert.equal(p.rule, 'Test rule');
  return p;
}

describe('rules that are rejected or unsupported at load', () => {
  const rejected: [string, RegExp][] = [
    ['s: {F|contains|re: x}\ncondition: s', /"re" must be the first modifier \(in "F\|contains\|re"\)/],
    ['s: {F|contains|cidr: 10.0.0.0/8}\ncondition: s', /"cidr" must be the first modifier/],
    ['s: {F|contains|exists: true}\ncondition: s', /"exists" must be the first modifier/],
    ['s: {F|i: x}\ncondition: s', /"i" is only valid after "re"/],
    ['s: {F|frobnicate: x}\ncondition: s', /unknown value modifier "frobnicate"/],
    ['s: {F|contains|contains: x}\ncondition: s', /"contains" repeated/],
    ['s: {F|gt: five}\ncondition: s', /"gt" needs a number/],
    ['s: {F|gt|contains: 5}\ncondition: s', /"contains" cannot be combined with "gt"/],
    ['s: {F|fieldref: "Target*"}\ncondition: s', /"fieldref" needs a field name without wildcards/],
    ["s: {'|exists': true}\ncondition: s", /"exists" needs a field/],
    ['s: {F|base64: "foo*"}\ncondition: s', /"base64" cannot encode a value with wildcards/],
    ['s: {F|contains|base64offset: foo}\ncondition: s', /"base64offset" cannot encode a value with wildcards/],
    ['s: {F|cidr: 192.168.1.1/24}\ncondition: s', /host bits set/],
    ['s: {F|cidr: not-a-network}\ncondition: s', /not a CIDR network/],
    ['s: {F|re: "a(b"}\ncondition: s', /invalid regular expression/],
    ['s: {F|exists: maybe}\ncondition: s', /"exists" takes true or false/],
    ['s: [null]\ncondition: s', /null cannot be a keyword/],
    ['s: [true]\ncondition: s', /a boolean cannot be a keyword/],
    ['s: {F: {x: 1}}\ncondition: s', /a nested map or list is not a value/],
    ['s: {}\ncondition: s', /search identifier "s" is an empty map/],
    ['s: {F|contains: null}\ncondition: s', /null cannot take modifiers/],
    ['s: {F: x}\ncondition: s and t', /condition names "t"/],
    ['s: {F: x}\ncondition: s | count() > 5', /pipe aggregation syntax is obsolete/],
    ['s: {F: x}\ncondition: 1 of nothing_*', /selects no search identifier/],
    ['s: {F|hour: "8"}\ncondition: s', /"hour" needs a whole number/],
    ['s: {F|hour|minute: 8}\ncondition: s', /"minute" must be the first modifier|in one item/],
    ['s: {F|contains|hour: 8}\ncondition: s', /"hour" must be the first modifier/],
  ];
  for (const [detection, message] of rejected) {
    it(`rejects ${detection.split('\n').join('; ')}`, () => {
      const p = problemOf(detection);
      assert.equal(p.kind, 'rejected', p.message);
      assert.match(p.message, message);
    });
  }

  const unsupported: [string, string, RegExp][] = [
    ['s: {F|re: "a(?=b)"}\ncondition: s', '', /linear-time engine does not run/],
    ['s: {F|re: "(a)\\\\1"}\ncondition: s', '', /linear-time engine does not run/],
    ['s: {F|expand: "%nothere%"}\ncondition: s', '', /placeholder %nothere% has no values in detect.placeholders/],
    ['s: {F: x}\ntimeframe: 5m\ncondition: s', '', /detection.timeframe/],
    ['s: {F: x}\ncondition: s', 'taxonomy: ecs\n', /taxonomy "ecs"/],
  ];
  for (const [detection, extra, message] of unsupported) {
    it(`marks unsupported ${detection.split('\n').join('; ')} ${extra.trim()}`, () => {
      const p = problemOf(detection, extra);
      assert.equal(p.kind, 'unsupported', p.message);
      assert.match(p.message, message);
    });
  }

  it('an unknown logsource is unsupported, a Sysmon category is gated on channel and event id', () => {
    const { set } = loadFiles({
      'a.yml': 'title: A\nlogsource: {product: macos, category: process_creation}\ndetection: {s: {F: x}, condition: s}\n',
      'b.yml': 'title: B\nlogsource: {product: windows, category: process_creation}\ndetection: {s: {Image|endswith: "\\\\whoami.exe"}, condition: s}\n',
    });
    assert.deepEqual(
      set.problems.map((p) => [p.file, p.kind, p.message]),
      [['a.yml', 'unsupported', 'logsource product "macos", category "process_creation": Wazuh 4.x decodes only a few macOS unified-log messages, not the process, file and network events these rules need']],
    );
    const b = set.rules[0] as DetectionRule;
    const sysmon = { Channel: 'Microsoft-Windows-Sysmon/Operational' };
    assert.equal(b.match['evtx-json'](evtx({ Image: 'C:\\Windows\\System32\\whoami.exe' }, { ...sysmon, EventID: 1 })), true);
    assert.equal(b.match['evtx-json'](evtx({ Image: 'C:\\Windows\\System32\\whoami.exe' }, { ...sysmon, EventID: 3 })), false);
    assert.equal(b.match['evtx-json'](evtx({ Image: 'C:\\Windows\\System32\\whoami.exe' }, { EventID: 1 })), false, 'Security channel');
  });

  it('a file whose second document is broken YAML: the first still loads, the second is rejected naming the error; scalars keep their YAML 1.2 types', () => {
    const good = 'title: Good\nlogsource: {product: windows, service: security}\ndetection: {s: {EventID: 4625, Flag: yes, Code: 0o17, N: 1_000}, condition: s}\n';
    const { set } = loadFiles({ 'multi.yml': `${good}---\ntitle: Bad\ndetection: [\n`, 'one.yml': good });
    assert.deepEqual(set.rules.map((r) => r.ref.title), ['Good', 'Good']);
    assert.equal(set.problems.length, 1);
    assert.equal(set.problems[0]!.file, 'multi.yml');
    assert.match(set.problems[0]!.message, /^invalid YAML: /);
    // YAML 1.2 core: `yes` and `1_000` are strings, 0o17 is 15, whichever parser read the file.
    for (const r of set.rules as DetectionRule[]) assert.deepEqual((r.detection as any).s, { EventID: 4625, Flag: 'yes', Code: 15, N: '1_000' });
  });
});

const BASE = (id: string, title: string, product = 'windows') =>
  `title: ${title}\nid: ${id}\nlogsource: {product: ${product}, service: security}\ndetection:\n  s: {EventID: 4625}\n  condition: s\nlevel: low\n`;

describe('Sigma filters', () => {
  const filter = (rules: string, condition = 'not dc', logsource = '{product: windows}') =>
    `title: Not the domain controllers\nlogsource: ${logsource}\nfilter:\n  rules: ${rules}\n  dc: {Computer|startswith: 'DC-'}\n  condition: ${condition}\n`;

  it('a filter in its own file excludes known-good events from the rules it names, and only those', () => {
    const { set } = loadFiles({ 'a.yml': BASE('rule-a', 'Rule A'), 'b.yml': BASE('rule-b', 'Rule B'), 'f.yml': filter('[rule-a]') });
    assert.deepEqual(set.problems, []);
    const [a, b] = set.rules as DetectionRule[];
    const fromDc = evtx({}, { Computer: 'DC-01.corp.example' });
    const fromWs = evtx({});
    assert.equal(a!.match['evtx-json'](fromDc), false);
    assert.equal(a!.match['evtx-json'](fromWs), true);
    assert.equal(b!.match['evtx-json'](fromDc), true, 'rule B is not named');
    assert.deepEqual(a!.filters, ['Not the domain controllers']);
    assert.equal(set.filters?.length, 1);
  });

  it('rules: any (or an empty list) applies to every rule whose logsource the filter contains', () => {
    const { set } = loadFiles({
      'a.yml': BASE('rule-a', 'Rule A'),
      'l.yml': 'title: L\nid: rule-l\nlogsource: {product: linux, service: sshd}\ndetection: {k: [x], condition: k}\n',
      'f.yml': filter('any'),
    });
    assert.deepEqual(set.problems, []);
    assert.deepEqual(
      set.rules.map((r) => [r.ref.id, (r as DetectionRule).filters ?? []]),
      [
        ['rule-a', ['Not the domain controllers']],
        ['rule-l', []],
      ],
    );
  });

  it('a filter in the same file as its rule works; the filter condition is AND-ed (pySigma), them is its own', () => {
    const { set } = loadFiles({ 'r.yml': BASE('rule-a', 'Rule A') + '---\n' + filter('[rule-a]', 'not 1 of them') });
    assert.deepEqual(set.problems, []);
    const a = set.rules[0] as DetectionRule;
    assert.equal(a.match.wazuh({ data: { win: { system: { channel: 'Security', eventID: '4625', computer: 'dc-7' } } } }), false);
    assert.equal(a.match.wazuh({ data: { win: { system: { channel: 'Security', eventID: '4625', computer: 'ws-7' } } } }), true);
  });

  it('a filter naming an unknown rule, or a rule outside its logsource, is reported and applied to nothing', () => {
    const { set } = loadFiles({
      'a.yml': BASE('rule-a', 'Rule A'),
      'f.yml': filter('[rule-a, no-such-rule]'),
      'g.yml': filter('[rule-a]', 'not dc', '{product: windows, service: system}'),
    });
    assert.deepEqual(
      set.problems.map((p) => [p.file, p.kind, p.message]),
      [
        ['f.yml', 'rejected', 'filter names unknown rule(s): no-such-rule'],
        ['g.yml', 'rejected', 'its logsource does not contain that of "Rule A"'],
      ],
    );
    assert.equal((set.rules[0] as DetectionRule).filters, undefined);
    assert.equal((set.rules[0] as DetectionRule).match['evtx-json'](evtx({}, { Computer: 'DC-01' })), true);
  });
});
