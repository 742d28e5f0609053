// Correlation semantics (sigma.md §2): every type, group-by, aliases, generate, chaining, sliding windows,
// lateness, the re-fire policy and the state cap. Events are SYNTHETIC minimal Wazuh alerts: a `rule.id` that
// the test rules select on, and the `data` fields they group by.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueState } from '../../src/detect/correlation/windows.js';
import { Detector, type DetectorOptions } from '../../src/detect/detector.js';
import { checkReferences, parseRuleFile, type RuleSet } from '../../src/detect/rules.js';
import type { Detection, Event } from '../../src/model/index.js';
import { rawLineOf, toEvent } from '../../src/model/event.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
let seq = 0;

/** A synthetic alert of Wazuh rule `rid` at T0 + `s` seconds. */
function ev(s: number, rid: string, data: Record<string, string> = {}): Event {
  seq++;
  const id = `synthetic.${seq}`;
  return {
    id,
    key: `test/${id}`,
    format: 'wazuh',
    time: T0 + s * 1000,
    data: { id, timestamp: new Date(T0 + s * 1000).toISOString(), rule: { id: rid, level: 5 }, data },
  };
}

const base = (name: string, rid: string) => `
title: base ${name}
name: ${name}
logsource: { product: wazuh }
detection:
  sel: { rule.id: '${rid}' }
  condition: sel
level: low
`;

function rules(...docs: string[]): RuleSet {
  const set: RuleSet = { rules: [], problems: [], files: [] };
  parseRuleFile(docs.join('\n---\n'), 'test.yml', set);
  checkReferences(set);
  return set;
}

function run(set: RuleSet, events: Event[], options: DetectorOptions = {}): { ds: Detection[]; detector: Detector } {
  assert.deepEqual(set.problems, []);
  const detector = new Detector(set, options);
  return { ds: events.flatMap((e) => detector.process(e)), detector };
}

const titled = (ds: Detection[], title: string) => ds.filter((d) => d.rule.title === title);

const COUNT = `
title: count
name: count
correlation: { type: event_count, rules: [fail], group-by: [data.srcip], timespan: 5m, condition: { gte: 5 } }
level: high
`;

describe('event_count', () => {
  const set = () => rules(base('fail', '1'), COUNT);
  const at = (ip: string, ...secs: number[]) => secs.map((s) => ev(s, '1', { srcip: ip }));

  it('five matches at 0, 30, 60, 120 and 299 s fire once, at the fifth', () => {
    const events = at('10.0.0.5', 0, 30, 60, 120, 299);
    const ds = titled(run(set(), events).ds, 'count');
    assert.equal(ds.length, 1);
    assert.deepEqual(ds[0]!.group, { 'data.srcip': '10.0.0.5' });
    assert.equal(ds[0]!.count, 5);
    assert.equal(ds[0]!.time, T0 + 299_000);
    assert.equal(ds[0]!.firstTime, T0);
    assert.deepEqual(ds[0]!.eventIds, events.map((e) => e.id));
  });

  it('the same five spread over 301 s do not fire (a sliding window, not a bucket per event)', () => {
    assert.equal(titled(run(set(), at('10.0.0.5', 0, 75, 150, 225, 301)).ds, 'count').length, 0);
  });

  it('slides: an early stray match does not block a burst that follows later', () => {
    assert.equal(titled(run(set(), at('10.0.0.5', 0, 400, 410, 420, 430, 440)).ds, 'count').length, 1);
  });

  it('five matches from five addresses do not fire; events without the group-by field are skipped', () => {
    const events = [0, 1, 2, 3, 4].map((i) => ev(i, '1', { srcip: `10.0.0.${i}` }));
    const noIp = [5, 6, 7, 8, 9].map((s) => ev(s, '1'));
    const empty = [10, 11, 12, 13, 14].map((s) => ev(s, '1', { srcip: '' }));
    assert.equal(titled(run(set(), [...events, ...noIp, ...empty]).ds, 'count').length, 0);
  });

  it('gt is strict', () => {
    const gt = rules(base('fail', '1'), COUNT.replace('gte: 5', 'gt: 5'));
    assert.equal(titled(run(gt, at('10.0.0.5', 0, 1, 2, 3, 4)).ds, 'count').length, 0);
    assert.equal(titled(run(gt, at('10.0.0.5', 0, 1, 2, 3, 4, 5)).ds, 'count').length, 1);
  });

  it('groups by the tuple of several fields', () => {
    const multi = rules(base('fail', '1'), COUNT.replace('[data.srcip]', '[data.srcip, data.dstuser]'));
    const a = [0, 1, 2].map((s) => ev(s, '1', { srcip: '10.0.0.5', dstuser: 'root' }));
    const b = [3, 4].map((s) => ev(s, '1', { srcip: '10.0.0.5', dstuser: 'admin' }));
    assert.equal(titled(run(multi, [...a, ...b]).ds, 'count').length, 0);
    const c = [5, 6].map((s) => ev(s, '1', { srcip: '10.0.0.5', dstuser: 'root' }));
    const ds = titled(run(multi, [...a, ...b, ...c]).ds, 'count');
    assert.equal(ds.length, 1);
    assert.deepEqual(ds[0]!.group, { 'data.srcip': '10.0.0.5', 'data.dstuser': 'root' });
  });
});

describe('value_count', () => {
  const SPRAY = `
title: spray
correlation:
  type: value_count
  rules: [fail]
  group-by: [data.srcip]
  timespan: 10m
  condition: { field: data.dstuser, gte: 10 }
level: high
`;
  const set = () => rules(base('fail', '1'), SPRAY);

  it('ten distinct users from one address within ten minutes fire once', () => {
    const events = Array.from({ length: 12 }, (_, i) => ev(i * 30, '1', { srcip: '10.0.0.5', dstuser: `u${i}` }));
    const ds = titled(run(set(), events).ds, 'spray');
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.time, T0 + 9 * 30_000);
    assert.equal(ds[0]!.count, 10);
  });

  it('fifty failures against the same three users do not fire', () => {
    const events = Array.from({ length: 50 }, (_, i) => ev(i, '1', { srcip: '10.0.0.5', dstuser: ['a', 'b', 'c'][i % 3]! }));
    assert.equal(titled(run(set(), events).ds, 'spray').length, 0);
  });

  it('counts account names case-insensitively', () => {
    const names = ['Admin', 'admin', 'ADMIN', 'Root', 'root', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];
    const events = names.map((n, i) => ev(i, '1', { srcip: '10.0.0.5', dstuser: n }));
    assert.equal(titled(run(set(), events).ds, 'spray').length, 0, 'nine distinct accounts, not twelve');
    assert.equal(titled(run(set(), [...events, ev(20, '1', { srcip: '10.0.0.5', dstuser: 'u8' })]).ds, 'spray').length, 1);
  });

  it('values older than the window do not count', () => {
    const events = Array.from({ length: 10 }, (_, i) => ev(i * 120, '1', { srcip: '10.0.0.5', dstuser: `u${i}` }));
    assert.equal(titled(run(set(), events).ds, 'spray').length, 0);
  });

  it('a repeated value costs one entry: memory is bounded by distinct values', () => {
    const state = new ValueState({ timespan: 600_000, need: 10, rules: 1 });
    for (let i = 0; i < 10_000; i++) state.add(0, T0 + i, ['a', 'b', 'c'][i % 3], -Infinity);
    assert.equal(state.size, 3);
    for (let i = 0; i < 5_000; i++) state.add(0, T0 + 20_000 + i * 1000, `v${i % 9}`, T0 + i * 1000 - 600_000);
    assert.ok(state.size <= 9 + 3, `held ${state.size} values`);
  });
});

describe('temporal and temporal_ordered', () => {
  const TEMPORAL = (type: string) => `
title: together
correlation: { type: ${type}, rules: [a, b], group-by: [data.srcip], timespan: 10m }
level: high
`;
  const set = (type: string) => rules(base('a', '1'), base('b', '2'), TEMPORAL(type));
  const A = (s: number, ip = '10.0.0.5') => ev(s, '1', { srcip: ip });
  const B = (s: number, ip = '10.0.0.5') => ev(s, '2', { srcip: ip });

  it('temporal: both rules within the timespan in either order fire; apart or on other groups they do not', () => {
    assert.equal(titled(run(set('temporal'), [A(0), B(60)]).ds, 'together').length, 1);
    assert.equal(titled(run(set('temporal'), [B(0), A(60)]).ds, 'together').length, 1);
    assert.equal(titled(run(set('temporal'), [A(0), B(601)]).ds, 'together').length, 0);
    assert.equal(titled(run(set('temporal'), [A(0), B(60, '10.0.0.6')]).ds, 'together').length, 0);
    assert.equal(titled(run(set('temporal'), [A(0), A(60), A(120)]).ds, 'together').length, 0);
  });

  it('temporal_ordered: a then b fires; b then a does not', () => {
    const ds = titled(run(set('temporal_ordered'), [A(0), A(30), B(60)]).ds, 'together');
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.firstTime, T0 + 30_000, 'the latest start gives the tightest chain');
    assert.equal(ds[0]!.time, T0 + 60_000);
    assert.equal(titled(run(set('temporal_ordered'), [B(0), A(60)]).ds, 'together').length, 0);
    assert.equal(titled(run(set('temporal_ordered'), [A(0), B(601)]).ds, 'together').length, 0);
  });

  it('temporal_ordered over a late event: the order is that of event time, not of arrival', () => {
    // b at 60 s arrives before a at 30 s (40 s late, inside the 60 s lateness): a(30) ≤ b(60) is a chain.
    assert.equal(titled(run(set('temporal_ordered'), [A(70), B(60), A(30)]).ds, 'together').length, 1);
  });

  it('temporal with a condition asks for that many distinct rules', () => {
    const three = rules(
      base('a', '1'),
      base('b', '2'),
      base('c', '3'),
      'title: two of three\ncorrelation: { type: temporal, rules: [a, b, c], group-by: [data.srcip], timespan: 5m, condition: { gte: 2 } }',
    );
    assert.equal(titled(run(three, [A(0), ev(10, '3', { srcip: '10.0.0.5' })]).ds, 'two of three').length, 1);
    assert.equal(titled(run(three, [A(0), A(10)]).ds, 'two of three').length, 0);
  });
});

describe('chaining, aliases and generate', () => {
  const CHAIN = `
title: success after brute force
correlation:
  type: temporal_ordered
  rules: [count, ok]
  group-by: [data.srcip]
  timespan: 10m
level: critical
`;
  const set = (generate: boolean) =>
    rules(base('fail', '1'), base('ok', '2'), COUNT, CHAIN.replace('  timespan: 10m', `  timespan: 10m\n  generate: ${generate}`));

  it('a correlation firing feeds the next one, at the completing event’s time and with its group', () => {
    const fails = [0, 30, 60, 120, 240].map((s) => ev(s, '1', { srcip: '10.0.0.5' }));
    const ok = ev(360, '2', { srcip: '10.0.0.5' });
    const ds = run(set(true), [...fails, ok]).ds;
    assert.deepEqual(ds.map((d) => d.rule.title), ['count', 'base ok', 'success after brute force'], 'generate: true emits the referenced rules too');
    const outer = ds[2]!;
    assert.deepEqual(outer.group, { 'data.srcip': '10.0.0.5' });
    assert.equal(outer.time, T0 + 360_000);
    assert.equal(outer.firstTime, T0 + 240_000, 'the inner firing counts at the time of its fifth event');
    assert.deepEqual(outer.eventIds, [...fails, ok].map((e) => e.id), 'evidence: the inner firing’s events and the success');
  });

  it('a success before the fifth failure does not complete the chain (out of order)', () => {
    const events = [ev(0, '1', { srcip: '10.0.0.5' }), ev(10, '2', { srcip: '10.0.0.5' }), ...[20, 30, 40, 50].map((s) => ev(s, '1', { srcip: '10.0.0.5' }))];
    assert.equal(titled(run(set(true), events).ds, 'success after brute force').length, 0);
  });

  it('generate: false (the default) silences the referenced rules; the outermost correlation still fires', () => {
    const fails = [0, 1, 2, 3, 4].map((s) => ev(s, '1', { srcip: '10.0.0.5' }));
    const ds = run(set(false), [...fails, ev(60, '2', { srcip: '10.0.0.5' })]).ds;
    assert.deepEqual(ds.map((d) => d.rule.title), ['success after brute force']);
  });

  it('aliases read the group-by value from a differently named field per rule', () => {
    const set2 = rules(
      base('win', '1'),
      base('ssh', '2'),
      `
title: same source on both
correlation:
  type: temporal
  rules: [win, ssh]
  aliases:
    src: { win: data.ipaddress, ssh: data.srcip }
  group-by: [src]
  timespan: 5m
`,
    );
    const ds = titled(run(set2, [ev(0, '1', { ipaddress: '10.0.0.5' }), ev(10, '2', { srcip: '10.0.0.5' })]).ds, 'same source on both');
    assert.equal(ds.length, 1);
    assert.deepEqual(ds[0]!.group, { src: '10.0.0.5' });
    assert.equal(titled(run(set2, [ev(0, '1', { ipaddress: '10.0.0.5' }), ev(10, '2', { srcip: '10.0.0.6' })]).ds, 'same source on both').length, 0);
  });
});

describe('re-fire policy: one detection per attack burst, for every type', () => {
  const cases: Record<string, { rule: string; hit: (s: number) => Event[] }> = {
    event_count: { rule: COUNT, hit: (s) => [ev(s, '1', { srcip: '10.0.0.5' })] },
    value_count: {
      rule: 'title: count\ncorrelation: { type: value_count, rules: [fail], group-by: [data.srcip], timespan: 5m, condition: { field: data.dstuser, gte: 3 } }',
      hit: (s) => [ev(s, '1', { srcip: '10.0.0.5', dstuser: `u${s}` })],
    },
    temporal: {
      rule: 'title: count\ncorrelation: { type: temporal, rules: [fail, ok], group-by: [data.srcip], timespan: 5m }',
      hit: (s) => [ev(s, '1', { srcip: '10.0.0.5' }), ev(s, '2', { srcip: '10.0.0.5' })],
    },
    temporal_ordered: {
      rule: 'title: count\ncorrelation: { type: temporal_ordered, rules: [fail, ok], group-by: [data.srcip], timespan: 5m }',
      hit: (s) => [ev(s, '1', { srcip: '10.0.0.5' }), ev(s, '2', { srcip: '10.0.0.5' })],
    },
  };
  for (const [type, c] of Object.entries(cases)) {
    it(`${type}: a long burst fires once; after a quiet timespan the next burst fires again`, () => {
      const set = rules(base('fail', '1'), base('ok', '2'), c.rule);
      const burst1 = Array.from({ length: 60 }, (_, i) => c.hit(i * 20)).flat(); // 20 minutes, never quiet for 5
      const burst2 = Array.from({ length: 10 }, (_, i) => c.hit(1200 + 301 + i)).flat();
      const ds = titled(run(set, [...burst1, ...burst2]).ds, 'count');
      assert.equal(ds.length, 2);
      assert.ok(ds[1]!.time >= T0 + 1501_000);
      assert.notEqual(ds[0]!.id, ds[1]!.id);
    });
  }
});

describe('lateness', () => {
  const set = () => rules(base('fail', '1'), COUNT);

  it('input shuffled within the lateness detects the same burst', () => {
    const events = [30, 0, 120, 60, 299].map((s) => ev(s, '1', { srcip: '10.0.0.5' }));
    const { ds } = run(set(), events, { lateness: 120_000 });
    assert.equal(titled(ds, 'count').length, 1);
    assert.equal(titled(ds, 'count')[0]!.firstTime, T0);
  });

  it('a match later than the lateness is not correlated, and is counted', () => {
    const events = [600, 0, 1, 2, 3].map((s) => ev(s, '1', { srcip: '10.0.0.5' }));
    const { ds, detector } = run(set(), [...events, ev(4, '1', { srcip: '10.0.0.5' })], { lateness: 60_000 });
    assert.equal(titled(ds, 'count').length, 0);
    assert.equal(detector.stats.lateEvents, 5);
  });

  it('lateness is per group: a source whose alerts arrive an hour behind the others is still correlated', () => {
    const current = [3600, 3601, 3602].map((s) => ev(s, '1', { srcip: '10.0.0.1' }));
    const lagging = [0, 1, 2, 3, 4].map((s) => ev(s, '1', { srcip: '10.0.0.2' }));
    const { ds, detector } = run(set(), [...current, ...lagging], { lateness: 60_000 });
    assert.deepEqual(titled(ds, 'count').map((d) => d.group['data.srcip']), ['10.0.0.2']);
    assert.equal(detector.stats.lateEvents, 0);
  });
});

describe('event times ahead of the clock', () => {
  it('with maxFuture, a match dated beyond it is not correlated, does not expire the others, and is counted', () => {
    const set = rules(base('fail', '1'), COUNT);
    const now = () => T0 + 10_000;
    const burst = [0, 1, 2, 3].map((s) => ev(s, '1', { srcip: '10.0.0.5' }));
    const forged = ev(86_400 * 365, '1', { srcip: '10.0.0.9' });
    // A new group makes the engine sweep expired groups: with a watermark a year ahead, that would be all of them.
    const events = [...burst, forged, ev(4, '1', { srcip: '10.0.0.7' }), ev(5, '1', { srcip: '10.0.0.5' })];
    const { ds, detector } = run(set, events, { maxFuture: 15 * 60_000, clock: now });
    assert.equal(titled(ds, 'count').length, 1, 'the burst still fires: the watermark did not jump a year');
    assert.equal(detector.stats.futureEvents, 1);
    assert.equal(detector.stats.correlationExpired, 0);
    const unguarded = run(set, events, { clock: now });
    assert.equal(titled(unguarded.ds, 'count').length, 0, 'without the guard the forged time expires the burst');
  });
});

describe('bounded state', () => {
  it('beyond maxGroups the least recently seen group is evicted and counted', () => {
    const events = [0, 1, 2, 3, 4].map((i) => ev(i, '1', { srcip: `10.0.0.${i}` }));
    const { detector } = run(rules(base('fail', '1'), COUNT), events, { maxGroups: 3 });
    assert.equal(detector.stats.correlationGroups, 3);
    assert.equal(detector.stats.correlationEvictions, 2);
  });

  it('an evicted group starts again: its burst is still found once it re-accumulates', () => {
    const events = [ev(0, '1', { srcip: 'a' }), ev(1, '1', { srcip: 'b' }), ...[2, 3, 4, 5, 6].map((s) => ev(s, '1', { srcip: 'a' }))];
    const { ds } = run(rules(base('fail', '1'), COUNT), events, { maxGroups: 1 });
    assert.equal(titled(ds, 'count').length, 1);
  });

  it('groups whose window has passed expire: not counted as evictions', () => {
    const early = [0, 1, 2].map((i) => ev(i, '1', { srcip: `10.0.0.${i}` }));
    const later = [3, 4, 5].map((i) => ev(3600 + i, '1', { srcip: `10.0.1.${i}` }));
    const { detector } = run(rules(base('fail', '1'), COUNT), [...early, ...later], { maxGroups: 4 });
    assert.equal(detector.stats.correlationEvictions, 0);
    assert.equal(detector.stats.correlationExpired, 3);
    assert.equal(detector.stats.correlationGroups, 3);
  });

  it('evidence is capped at 50 events and bounded by the evidence ring; the count stays exact', () => {
    const set = rules(base('fail', '1'), COUNT.replace('gte: 5', 'gte: 80'));
    const events = Array.from({ length: 80 }, (_, i) => ev(i, '1', { srcip: '10.0.0.5' }));
    const full = titled(run(set, events).ds, 'count')[0]!;
    assert.equal(full.count, 80);
    assert.equal(full.events.length, 50);
    assert.deepEqual(full.eventIds, events.slice(30).map((e) => e.id));
    const small = titled(run(set, events, { evidenceEvents: 20 }).ds, 'count')[0]!;
    assert.equal(small.count, 80);
    assert.deepEqual(small.eventIds, events.slice(60).map((e) => e.id));
  });

  it('evidence kept as raw lines comes back as the events that were detected: ids, times, data, and the ring still bounds it', () => {
    const set = rules(base('fail', '1'), COUNT.replace('gte: 5', 'gte: 60'));
    const lines = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({ id: `line.${i}`, timestamp: new Date(T0 + i * 1000).toISOString(), rule: { id: '1', level: 5 }, data: { srcip: '10.0.0.5', n: i, path: 'C:\\Windows\\x' } }),
    );
    // One line with a \u escape: intake cleans such a line after parsing, so it is kept as the event it became.
    lines[40] = lines[40]!.replace('"n":40', '"n":40,"note":"\\u0041"');
    const events = lines.map((l) => toEvent(JSON.parse(l), l));
    const full = titled(run(set, events).ds, 'count')[0]!;
    assert.equal(full.count, 60);
    assert.deepEqual(full.events, events.slice(10));
    assert.equal(full.events[30], events[40], 'the line with an escape is held as it was');
    assert.equal(full.events[49], events[59], 'the input that completed the window is the event at hand');
    assert.equal(rawLineOf(full.events[0]!), lines[10]);
    const small = titled(run(set, events, { evidenceEvents: 20 }).ds, 'count')[0]!;
    assert.deepEqual(small.events, events.slice(40));
  });

  it('a burst’s first match is rebuilt from its line, the matches after it are kept as they came', () => {
    const lines = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({ id: `burst.${i}`, timestamp: new Date(T0 + i * 1000).toISOString(), rule: { id: '1', level: 5 }, data: { srcip: '10.0.0.7', n: i } }),
    );
    const events = lines.map((l) => toEvent(JSON.parse(l), l));
    const fired = titled(run(rules(base('fail', '1'), COUNT), events).ds, 'count')[0]!;
    assert.deepEqual(fired.events, events);
    // Most groups never see a second match, so the first is held only as its line and parsed again here.
    assert.notEqual(fired.events[0], events[0]);
    assert.equal(rawLineOf(fired.events[0]!), lines[0]);
    // A group with a second match is on its way to firing: its matches are not parsed a second time.
    for (let i = 1; i < 5; i++) assert.equal(fired.events[i], events[i], `match ${i}`);
  });
});

describe('loading correlations', () => {
  const problems = (...docs: string[]) => rules(...docs).problems.map((p) => `${p.kind}: ${p.message}`);

  it('value_median (not in the specification) is refused; value_* need one field, value_percentile a percentile', () => {
    const c = (cond: string, type = 'value_sum') => `title: t\ncorrelation: { type: ${type}, rules: [a], group-by: [s], timespan: 1m, condition: ${cond} }`;
    assert.match(problems(base('a', '1'), c('{ gte: 3, field: x }', 'value_median'))[0]!, /^unsupported: correlation type "value_median"/);
    assert.match(problems(base('a', '1'), c('{ gte: 3 }'))[0]!, /^rejected: value_sum needs condition.field/);
    assert.match(problems(base('a', '1'), c('{ gte: 3, field: [x, y] }', 'value_avg'))[0]!, /takes one condition.field/);
    assert.match(problems(base('a', '1'), c('{ gte: 3, field: x }', 'value_percentile'))[0]!, /needs condition.percentile/);
    assert.match(problems(base('a', '1'), c('{ gte: 3, field: x, percentile: 95 }', 'value_sum'))[0]!, /only meaningful for value_percentile/);
    assert.match(problems(base('a', '1'), 'title: t\ncorrelation: { type: temporal_ordered, rules: [a], group-by: [s], timespan: 1m, condition: { lt: 1 } }')[0]!, /^unsupported: temporal_ordered with a condition other than/);
  });

  it('a dangling reference rejects the correlation and the ones built on it; so does a loop', () => {
    assert.deepEqual(problems(COUNT), ['rejected: correlation refers to unknown rule(s): fail']);
    const loop = (n: string, ref: string) => `title: ${n}\nname: ${n}\ncorrelation: { type: event_count, rules: [${ref}], group-by: [x], timespan: 1m, condition: { gte: 1 } }`;
    assert.deepEqual(problems(loop('x1', 'x2'), loop('x2', 'x1')), [
      'rejected: correlation refers to itself through its chain of rules',
      'rejected: correlation refers to itself through its chain of rules',
    ]);
  });

  it('aliases must name listed rules; value_count needs a field; temporal conditions fit the rule list', () => {
    assert.match(problems(base('a', '1'), 'title: t\ncorrelation: { type: temporal, rules: [a], aliases: { s: { b: f } }, group-by: [s], timespan: 1m }')[0]!, /names "b", which is not in correlation.rules/);
    assert.match(problems(base('a', '1'), 'title: t\ncorrelation: { type: value_count, rules: [a], group-by: [s], timespan: 1m, condition: { gte: 2 } }')[0]!, /value_count needs condition.field/);
    assert.match(problems(base('a', '1'), 'title: t\ncorrelation: { type: temporal, rules: [a], group-by: [s], timespan: 1m, condition: { gte: 3 } }')[0]!, /asks for 3 distinct rules/);
  });
});

/** Runs the events, then the end of the input (what replay and rule tests do). */
function runToEnd(set: RuleSet, events: Event[], options: DetectorOptions = {}): Detection[] {
  const { ds, detector } = run(set, events, options);
  return [...ds, ...detector.flush()];
}

describe('conditions judged when the window closes: lt, lte, eq, neq, ranges', () => {
  const corr = (cond: string) => `title: few\nname: few\ncorrelation: { type: event_count, rules: [fail], group-by: [data.srcip], timespan: 5m, condition: ${cond} }\nlevel: low\n`;
  const burstOf = (n: number, ip = '203.0.113.5', from = 0) => Array.from({ length: n }, (_, i) => ev(from + i * 10, '1', { srcip: ip }));

  it('lt: a group with fewer matches than N in its window fires once, when the window closes', () => {
    const set = rules(base('fail', '1'), corr('{ lt: 3 }'));
    const { ds, detector } = run(set, [...burstOf(2), ev(100, '9', { srcip: 'x' })]);
    assert.equal(ds.length, 0, 'nothing while the window is open');
    // Event time passes the window's end (5 min) plus the lateness (60 s): it closes and fires.
    const later = detector.process(ev(5 * 60 + 61 + 1, '9', { srcip: 'x' }));
    assert.equal(later.length, 1);
    assert.equal(later[0]!.count, 2);
    assert.deepEqual(later[0]!.group, { 'data.srcip': '203.0.113.5' });
    assert.equal(runToEnd(rules(base('fail', '1'), corr('{ lt: 3 }')), burstOf(3)).length, 0, 'three is not fewer than three');
  });

  it('the clock closes a window no later event closes (expire), and a backlog read behind the clock closes nothing early', () => {
    // A fake clock: the events arrive as they happen, then the input falls silent.
    let now = T0 + 20_000;
    const set = rules(base('fail', '1'), corr('{ lt: 3 }'));
    const detector = new Detector(set, { clock: () => now });
    assert.deepEqual(burstOf(2).flatMap((e) => detector.process(e)), []);
    now = T0 + 10_000 + 5 * 60_000 + 60_000; // the window (opened at T0, 5 min) plus the lateness (60 s): not yet past
    assert.deepEqual(detector.expire(), []);
    now += 2_000;
    const closed = detector.expire();
    assert.equal(closed.length, 1, 'fewer than three, decided with no later event');
    assert.equal(closed[0]!.count, 2);
    assert.deepEqual(detector.expire(now + 3_600_000), [], 'once');
    // The same alerts read an hour after they happened (a backlog): the estimate starts from their own times.
    now = T0 + 3_600_000;
    const backlog = new Detector(rules(base('fail', '1'), corr('{ lt: 3 }')), { clock: () => now });
    for (const e of burstOf(2)) backlog.process(e);
    assert.deepEqual(backlog.expire(), [], 'an hour behind the clock, but only just read');
    assert.deepEqual(backlog.process(ev(30, '1', { srcip: '203.0.113.5' })), [], 'the third, read later, still counts');
    now += 5 * 60_000 + 61_000;
    assert.deepEqual(backlog.expire(), [], 'three is not fewer than three');
  });

  it('eq, neq, lte and a range (gt and lte) compare the window\'s final count', () => {
    const cases: [string, number, number][] = [
      ['{ eq: 4 }', 4, 1],
      ['{ eq: 4 }', 5, 0],
      ['{ neq: 4 }', 4, 0],
      ['{ neq: 4 }', 3, 1],
      ['{ lte: 2 }', 2, 1],
      ['{ gt: 2, lte: 4 }', 3, 1],
      ['{ gt: 2, lte: 4 }', 5, 0],
      ['{ gt: 2, lte: 4 }', 2, 0],
    ];
    for (const [cond, n, want] of cases)
      assert.equal(runToEnd(rules(base('fail', '1'), corr(cond)), burstOf(n)).length, want, `${cond} with ${n} matches`);
  });

  it('a match after the window opens the next window: two bursts, two verdicts; groups are separate', () => {
    const set = rules(base('fail', '1'), corr('{ eq: 2 }'));
    const ds = runToEnd(set, [...burstOf(2), ...burstOf(3, '203.0.113.5', 400), ...burstOf(2, '198.51.100.7', 0)]);
    assert.deepEqual(ds.map((d) => [d.group['data.srcip'], d.count]).sort(), [['198.51.100.7', 2], ['203.0.113.5', 2]]);
  });

  it('value_count with lt: fewer distinct values than N', () => {
    const set = rules(base('fail', '1'), 'title: vc\ncorrelation: { type: value_count, rules: [fail], group-by: [data.srcip], timespan: 5m, condition: { lt: 3, field: data.user } }\n');
    const evs = ['a', 'A', 'b'].map((u, i) => ev(i, '1', { srcip: 'h', user: u }));
    assert.equal(runToEnd(set, evs).length, 1, 'a and A are one value: 2 distinct < 3');
  });
});

describe('value_sum, value_avg, value_percentile', () => {
  const metric = (type: string, cond: string) =>
    `title: m\nname: m\ncorrelation: { type: ${type}, rules: [fail], group-by: [data.srcip], timespan: 10m, condition: ${cond} }\nlevel: high\n`;
  const bytes = (values: (number | string)[], ip = '10.0.0.9') => values.map((b, i) => ev(i * 30, '1', { srcip: ip, bytes: String(b) }));

  it('value_sum: the numbers of the field summed over the window (non-numbers skipped)', () => {
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_sum', '{ gte: 1000, field: data.bytes }')), bytes([400, 300, 'n/a', 300])).length, 1);
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_sum', '{ gte: 1000, field: data.bytes }')), bytes([400, 300, 299])).length, 0);
    const [d] = runToEnd(rules(base('fail', '1'), metric('value_sum', '{ gt: 10, field: data.bytes }')), bytes([6, 6]));
    assert.equal(d!.count, 2);
  });

  it('value_avg and a range', () => {
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_avg', '{ gte: 100, lt: 200, field: data.bytes }')), bytes([50, 150, 250])).length, 1);
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_avg', '{ gte: 100, lt: 200, field: data.bytes }')), bytes([250, 250])).length, 0);
  });

  it('value_percentile: nearest-rank percentile of the numbers', () => {
    const vs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_percentile', '{ gte: 100, field: data.bytes, percentile: 95 }')), bytes(vs)).length, 1);
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_percentile', '{ gte: 100, field: data.bytes, percentile: 90 }')), bytes(vs)).length, 0, 'p90 is 9');
  });

  it('a window with no number in it does not fire', () => {
    assert.equal(runToEnd(rules(base('fail', '1'), metric('value_sum', '{ lt: 5, field: data.bytes }')), bytes(['x', 'y'])).length, 0);
  });
});

describe('detection ids', () => {
  it('are the same for the same detection made again, differ between detections, and sort by the completing event’s time', () => {
    const set = rules(base('fail', '1'), COUNT);
    // Five failures from each of three addresses, interleaved: three count firings and fifteen base detections.
    const events = Array.from({ length: 15 }, (_, i) => ev(i * 7, '1', { srcip: `10.0.0.${i % 3}` }));
    const once = run(set, events).ds;
    const again = run(set, events).ds;
    assert.equal(titled(once, 'count').length, 3);
    assert.deepEqual(
      again.map((d) => d.id),
      once.map((d) => d.id),
    );
    assert.equal(new Set(once.map((d) => d.id)).size, once.length);
    // In time order, as the store's key index takes them at its end.
    const byTime = [...once].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
    assert.deepEqual(
      byTime.map((d) => d.id),
      [...once.map((d) => d.id)].sort(),
    );
    // Two detections of one millisecond still differ (the digest of rule, group and event follows the time).
    const sameMs = [ev(0, '1'), { ...ev(0, '1') }];
    const ids = run(rules(base('fail', '1')), sameMs).ds.map((d) => d.id);
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
    assert.equal(ids[0]!.slice(0, 12), ids[1]!.slice(0, 12));
  });
});
