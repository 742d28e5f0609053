// The EventID / rule.id prefilter may only skip rules that cannot match: every rule that matches an event must be
// among the candidates the index selects for it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { alertLines } from '../../bench/detect/alerts.js';
import { requiredIds, RuleIndex } from '../../src/detect/dispatch.js';
import { loadRules, type DetectionRule } from '../../src/detect/rules.js';
import { expandEvents, runRuleTests } from '../../src/detect/ruletest.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { toEvent } from '../../src/model/event.js';

describe('requiredIds', () => {
  const sel = { EventID: 4625 };
  it('reads the ids a condition cannot do without', () => {
    assert.deepEqual(requiredIds({ selection: sel, condition: 'selection' }), ['4625']);
    assert.deepEqual(requiredIds({ selection: { EventID: [4728, '4732'] }, f: {}, condition: 'selection and not f' }), ['4728', '4732']);
    assert.deepEqual(requiredIds({ selection: sel, a: {}, b: {}, condition: 'selection and (a or b)' }), ['4625']);
    assert.deepEqual(requiredIds({ selection: [{ EventID: 1 }, { EventID: 2, X: 'y' }], condition: 'selection' }), ['1', '2']);
    assert.deepEqual(requiredIds({ selection: { 'rule.id': ['5716', '5760'] }, condition: 'selection' }, 'rule.id'), ['5716', '5760']);
  });

  it('gives up on anything it cannot prove necessary', () => {
    for (const [detection, why] of [
      [{ selection: sel, other: {}, condition: 'selection or other' }, 'or at the top level'],
      [{ selection: sel, condition: 'not selection' }, 'negated'],
      [{ selection1: sel, condition: '1 of selection*' }, 'of'],
      [{ selection: sel, other: {}, condition: ['selection', 'other'] }, 'several conditions'],
      [{ selection: [sel, { Image: 'x' }], condition: 'selection' }, 'an alternative without EventID'],
      [{ selection: { 'EventID|gte': 4000 }, condition: 'selection' }, 'a modifier'],
      [{ selection: { EventID: '46*' }, condition: 'selection' }, 'a wildcard'],
      [{ selection: { EventID: null }, condition: 'selection' }, 'null'],
      [{ filter: sel, selection: {}, condition: 'selection and filter' }, 'the first selection has no EventID'],
    ] as const)
      assert.equal(requiredIds(detection as Record<string, unknown>), null, why);
  });
});

describe('RuleIndex', () => {
  const rules = loadRules([BUILTIN_RULES]).rules.filter((r): r is DetectionRule => r.kind === 'detection');
  const index = new RuleIndex(rules);
  const candidates = (e: ReturnType<typeof toEvent>) => {
    const picked = index.select(e.format, e.data);
    return new Set(picked === null ? index.all : [...picked.flat(), ...index.always]);
  };

  it('indexes every built-in rule but the two over Wazuh rule levels and groups', () => {
    assert.deepEqual(index.always.map((r) => r.ref.title), ['Wazuh Multiple Authentication Failures Alert', 'Wazuh Alert At Or Above The Forwarding Level']);
  });

  it('never skips a rule that matches: the benchmark mix and every built-in test event (SYNTHETIC and real)', () => {
    const events = alertLines(20_000).map((l) => toEvent(JSON.parse(l)));
    for (const file of runRuleTests([BUILTIN_RULES]).results.map((r) => r.file)) {
      const tests = readFileSync(file.replace(/\.yml$/, '.test.yml'), 'utf8');
      for (const doc of parseAllDocuments(tests)) {
        const spec = doc.toJS();
        for (const c of [...spec.should_fire, ...spec.should_not_fire]) events.push(...expandEvents(c.events, file).map((e) => toEvent(e)));
      }
    }
    let matched = 0;
    let skipped = 0;
    for (const e of events) {
      const can = candidates(e);
      for (const r of rules) {
        const m = r.match[e.format](e.data);
        if (m) matched++;
        if (!can.has(r)) {
          skipped++;
          assert.equal(m, false, `${r.ref.title} matches event ${e.id} but was not selected`);
        }
      }
    }
    assert.ok(matched > 1000, `only ${matched} matches: the check would prove little`);
    assert.ok(skipped > events.length * (rules.length - 4), 'most rules are skipped for most events');
  });

  it('a rule keyed by its source is a candidate only for alerts of that source (the larger pack costs other alerts nothing)', () => {
    const carries = (d: any, key: string) =>
      key === 'syscheck' ? d.syscheck !== undefined : key === `integration:${d.data?.integration}` || key === `decoder:${d.decoder?.name}` || key === `decoder:${d.decoder?.parent}`;
    const keyed = rules.filter((r) => r.sourceKey !== undefined);
    assert.ok(keyed.length >= 10, 'the cloud, M365, web and Linux rules are keyed by their source');
    let checked = 0;
    for (const l of alertLines(20_000)) {
      const e = toEvent(JSON.parse(l));
      const can = candidates(e);
      for (const r of keyed) {
        if (!can.has(r)) continue;
        // Rules indexed by an event id or Wazuh rule id are candidates by that id; the others by their source key.
        if (requiredIds(r.detection, 'EventID') !== null || requiredIds(r.detection, 'rule.id') !== null) continue;
        const keys = typeof r.sourceKey === 'string' ? [r.sourceKey] : r.sourceKey!;
        assert.ok(keys.some((k) => carries(e.data, k)), `${r.ref.title} is a candidate for alert ${e.id}, which is not of ${keys.join(' or ')}`);
        checked++;
      }
    }
    assert.ok(checked > 1000, `only ${checked} candidates checked`);
  });

  it('an event id that is not a number sends the event to every rule', () => {
    const e = toEvent({ Event: { System: { EventID: { '#text': 4625 }, Channel: 'Security' }, EventData: {} } }, undefined, 'evtx-json');
    assert.equal(index.select(e.format, e.data), null);
  });
});
