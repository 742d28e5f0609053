// The raw-line prefilter never skips a record that some loaded rule matches. Proved on the built-in pack (every
// event of its rule tests, and the benchmark's mix) and on the SigmaHQ Windows corpus: for every rule, events
// are built from its own selections in both input formats, and every one that the rule matches must pass the
// prefilter — as compact JSON, as pretty-printed JSON, and with its values upper-cased where the rule still
// matches. The prefilter must also skip something, or it would prove nothing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { alertLines } from '../../bench/detect/alerts.js';
import { fieldPath } from '../../src/detect/fields.js';
import { WINDOWS_CATEGORIES, WINDOWS_CHANNELS } from '../../src/detect/logsource.js';
import { hidesLiterals, needlePattern, Prefilter, ruleLiterals, ruleNeedles, topAlternatives } from '../../src/detect/prefilter.js';
import { LiteralScreen } from '../../src/detect/screen.js';
import { Detector } from '../../src/detect/detector.js';
import { windowsLines } from '../../bench/detect/sigmahq.js';
import { expandEvents, listTestFiles } from '../../src/detect/ruletest.js';
import { loadRules, type DetectionRule, type RuleSet } from '../../src/detect/rules.js';
import { toEvent } from '../../src/model/event.js';
import type { EventFormat } from '../../src/model/index.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { SHARED } from '../helpers/fixtures.js';

const SIGMAHQ = join(SHARED, 'data/sigma/sigmahq/rules/windows');

/** Every rule that matches this record (as the detector would read it) must have let it through. */
function assertNotSkipped(rules: DetectionRule[], prefilter: Prefilter, record: Record<string, unknown>, what: string): number {
  const event = toEvent(structuredClone(record));
  const matching = rules.filter((r) => r.match[event.format](event.data));
  if (matching.length === 0) return 0;
  for (const text of [JSON.stringify(record), JSON.stringify(record, null, 2)]) {
    assert.ok(prefilter.mayMatch(text), `${what}: ${matching[0]!.ref.title} matches a record the prefilter skips:\n${text.slice(0, 600)}`);
  }
  return matching.length;
}

const detectionRules = (set: RuleSet) => set.rules.filter((r): r is DetectionRule => r.kind === 'detection');

function setPath(obj: Record<string, any>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (cur[k] === undefined || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  cur[path[path.length - 1]!] = value;
}

/** A text that satisfies one Sigma value under its modifiers, or undefined for what we do not build. */
function sample(v: unknown, mods: string[]): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  if (mods.some((m) => !['contains', 'startswith', 'endswith', 'all', 'cased', 'windash'].includes(m))) return undefined;
  // Wildcards: `*` as nothing, `?` as one letter; escapes resolved.
  let s = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && /[*?\\]/.test(v[i + 1] ?? '')) s += v[++i];
    else if (c === '*') s += '';
    else if (c === '?') s += 'q';
    else s += c;
  }
  if (mods.includes('contains')) return `pre ${s} post`;
  if (mods.includes('startswith')) return `${s} post`;
  if (mods.includes('endswith')) return `pre ${s}`;
  return s;
}

/** Field → value pairs that satisfy one search identifier's first alternative. */
function selectionFields(body: unknown): [string, string][] | undefined {
  const map = Array.isArray(body) ? body.find((b) => b && typeof b === 'object' && !Array.isArray(b)) : body;
  if (!map || typeof map !== 'object' || Array.isArray(map)) return undefined;
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    const [field, ...mods] = key.split('|');
    if (!field) return undefined;
    const values = Array.isArray(value) ? value : [value];
    const texts = values.map((x) => sample(x, mods));
    if (texts.length === 0 || texts.some((t) => t === undefined)) return undefined;
    out.push([field, mods.includes('all') ? texts.join(' ') : texts[0]!]);
  }
  return out;
}

/** Records built from a rule's selections: each alone, and all non-filter selections together. */
function recordsFor(rule: DetectionRule): Record<string, unknown>[] {
  const ls = rule.logsource;
  const category = ls.category ? WINDOWS_CATEGORIES[ls.category.toLowerCase()] : undefined;
  const named = category?.channel ?? (ls.service ? WINDOWS_CHANNELS[ls.service.toLowerCase()] : undefined) ?? 'Security';
  const channel = Array.isArray(named) ? named[0]! : named;
  const eventId = category?.eventIds[0];
  const { condition: _c, ...searches } = rule.detection;
  const sets: [string, string][][] = [];
  const all: [string, string][] = [];
  for (const [name, body] of Object.entries(searches)) {
    const f = selectionFields(body);
    if (!f) continue;
    sets.push(f);
    if (!name.startsWith('filter')) all.push(...f);
  }
  if (all.length > 0) sets.push(all);
  const out: Record<string, unknown>[] = [];
  for (const fields of sets) {
    for (const format of ['wazuh', 'evtx-json'] as EventFormat[]) {
      const e: Record<string, any> = {};
      const set = (field: string, value: string | number) => setPath(e, fieldPath(format, field), value);
      if (format === 'wazuh') {
        Object.assign(e, { timestamp: '2026-11-21T10:00:00.000+0000', rule: { level: 5, id: '60000', groups: ['windows'] }, agent: { id: '001', name: 'ws-1' }, manager: { name: 'm' }, id: '1763719200.1', decoder: { name: 'windows_eventchannel' }, location: 'EventChannel' });
        set('Channel', channel);
        if (eventId !== undefined) set('EventID', String(eventId));
      } else {
        set('Channel', channel);
        if (eventId !== undefined) set('EventID', eventId);
        e.Event.System.EventRecordID = 1;
      }
      for (const [field, value] of fields) set(field, format === 'evtx-json' && field === 'EventID' && /^\d+$/.test(value) ? Number(value) : value);
      out.push(e);
      // the same values in upper case: Sigma compares case-insensitively
      const upper = structuredClone(e);
      for (const [field, value] of fields) if (field !== 'EventID') setPath(upper, fieldPath(format, field), value.toUpperCase());
      out.push(upper);
    }
  }
  return out;
}

describe('raw-line prefilter', () => {
  const builtin = loadRules([BUILTIN_RULES]);
  const builtinFilter = new Prefilter(builtin.rules);

  it('is active on the built-in pack and skips most of a realistic mix', () => {
    assert.ok(builtinFilter.active, JSON.stringify(builtinFilter.stats));
    const lines = alertLines(5000);
    const passed = lines.filter((l) => builtinFilter.mayMatch(l)).length;
    // Measured 48.4 % (the mix's Windows logons, web access lines and FIM changes are lines built-in rules take).
    assert.ok(passed < lines.length * 0.5, `${passed} of ${lines.length} lines let through`);
  });

  it('leaves out the needles of rules whose logsource literal is searched anyway: fewer needles, the same lines', () => {
    // Every rule's own needles, as the prefilter searched before (the union of ruleNeedles).
    const all = new Set<string>();
    for (const r of detectionRules(builtin)) for (const n of ruleNeedles(r)!) all.add(n.source);
    const union = new RegExp([...all].join('|'), 'i');
    assert.ok(builtinFilter.stats.needles < all.size * 0.7, `${builtinFilter.stats.needles} of ${all.size} needles searched`);
    const lines = alertLines(20_000);
    for (const file of listTestFiles(BUILTIN_RULES))
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const t = doc.toJS() as { should_fire?: { events: unknown }[]; should_not_fire?: { events: unknown }[] };
        for (const c of [...(t.should_fire ?? []), ...(t.should_not_fire ?? [])]) for (const e of expandEvents(c.events, file)) lines.push(JSON.stringify(e));
      }
    for (const line of lines) assert.equal(builtinFilter.mayMatch(line), union.test(line) || /\\u|\\\/|[\u0130\u212a]|"wazuh"\s*:\s*\{/.test(line), line.slice(0, 300));
  });

  it('a decoder\'s needle is its name in the alert\'s decoder object: a pam line of program sudo does not pass for sudo rules', () => {
    const set: RuleSet = loadRules([BUILTIN_RULES]);
    const sudoOnly = new Prefilter(set.rules.filter((r) => r.ref.title === 'Sudo To A Root Shell'));
    const base = { timestamp: '2026-11-21T10:00:00.000+0000', rule: { id: '5501', level: 3 }, agent: { id: '001', name: 'srv-0' } };
    // SYNTHETIC alerts: a sudo session line as Wazuh's pam decoder takes it, and one its sudo decoder takes.
    const pam = { ...base, full_log: 'Nov 21 10:00:00 web01 sudo: pam_unix(sudo:session): session opened for user root by deploy(uid=1000)', predecoder: { program_name: 'sudo' }, decoder: { parent: 'pam', name: 'pam' } };
    const sudo = { ...base, full_log: 'Nov 21 10:00:00 web01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash', predecoder: { program_name: 'sudo' }, decoder: { parent: 'sudo', name: 'sudo' }, data: { srcuser: 'deploy', dstuser: 'root', command: '/bin/bash' } };
    assert.equal(sudoOnly.mayMatch(JSON.stringify(pam)), false);
    assert.equal(sudoOnly.mayMatch(JSON.stringify(sudo)), true);
    assert.equal(sudoOnly.mayMatch(JSON.stringify({ ...sudo, decoder: { name: 'sudo' } })), true);
  });

  it('lets through every event of every built-in rule test (should fire and should not fire)', () => {
    let checked = 0;
    for (const file of listTestFiles(BUILTIN_RULES)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const t = doc.toJS() as { should_fire?: { events: unknown }[]; should_not_fire?: { events: unknown }[] };
        for (const c of [...(t.should_fire ?? []), ...(t.should_not_fire ?? [])]) {
          for (const e of expandEvents(c.events, file)) checked += assertNotSkipped(detectionRules(builtin), builtinFilter, e, file);
        }
      }
    }
    assert.ok(checked > 40, `${checked} matching events checked`);
  });

  it('lets through every line of the benchmark mix that a built-in rule matches, and skips the rest', () => {
    let matched = 0;
    let skipped = 0;
    for (const line of alertLines(20_000)) {
      const n = assertNotSkipped(detectionRules(builtin), builtinFilter, JSON.parse(line), 'mix');
      matched += n;
      if (n === 0 && !builtinFilter.mayMatch(line)) skipped++;
    }
    // The mix's sudo and web access lines are lines the built-in sudo and web rules may match: they pass.
    assert.ok(matched > 1000 && skipped > 8_000, `${matched} matches, ${skipped} lines skipped`);
  });

  it('searches a literal a value starts with after its opening quote, never where a number or boolean may stand', () => {
    const rule = (sel: string) =>
      loadRules([], process.cwd(), {}, [{ file: 'anchor.yml', text: `title: t\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    ${sel}\n  condition: sel\n` }]);
    const alert = (system: Record<string, unknown>, eventdata: Record<string, unknown> = {}) => ({
      timestamp: '2026-11-21T10:00:00.000+0000',
      rule: { level: 3, id: '60000' },
      id: '1.1',
      data: { win: { system: { eventID: '4688', channel: 'Security', ...system }, eventdata } },
    });
    // A field read as written in both formats (a System field): the literal only opens its value, so the same
    // text inside another value is no match.
    const word = rule("Computer|startswith: 'Mimikatz'");
    const pf = new Prefilter(word.rules);
    assert.match(String(pf.stats.needles), /^1$/);
    assert.ok(pf.mayMatch(JSON.stringify(alert({ computer: 'mimikatz-host.corp' }))));
    assert.equal(pf.mayMatch(JSON.stringify(alert({ computer: 'ws1' }, { commandLine: 'run mimikatz.exe' }))), false);
    // The matcher compares a boolean or a number by its text, which no quote opens: such literals stay bare.
    for (const [sel, value] of [["Computer|startswith: 'tr'", true], ["Version|startswith: '44'", 443], ["Version: '443'", 443]] as const) {
      const set = rule(sel);
      const key = sel.startsWith('Computer') ? 'computer' : 'version';
      const record = alert({ [key]: value });
      assert.ok(detectionRules(set)[0]!.match.wazuh(record), sel);
      assert.ok(new Prefilter(set.rules).mayMatch(JSON.stringify(record)), `${sel} on ${JSON.stringify(value)}`);
    }
  });

  it('a value spelled with JSON escapes is still seen (\\u, \\/)', () => {
    const alert = {
      timestamp: '2026-11-21T10:00:00.000+0000',
      rule: { level: 8, id: '60109', groups: ['windows'] },
      agent: { id: '001', name: 'dc1' },
      manager: { name: 'm' },
      id: '1763719200.7',
      data: { win: { system: { eventID: '4720', channel: 'Security', computer: 'dc1' }, eventdata: { targetUserName: 'eve' } } },
    };
    const created = detectionRules(builtin).find((r) => r.ref.title === 'Windows User Account Created')!;
    assert.ok(created.match.wazuh(alert));
    const plain = JSON.stringify(alert);
    assert.ok(builtinFilter.mayMatch(plain));
    assert.equal(builtinFilter.mayMatch(plain.replace('"4720"', '"9720"')), false, 'without its event id nothing here is a needle');
    const escaped = plain.replace('"4720"', '"\\u0034720"');
    assert.equal(JSON.parse(escaped).data.win.system.eventID, '4720');
    assert.ok(builtinFilter.mayMatch(escaped), 'an escaped digit');
    assert.ok(builtinFilter.mayMatch(plain.replace('"4720"', '"9720"').replace('"Security"', '"Sec\\/urity"')), 'an escaped slash');
  });

  it('a rule value that an absent field stands for requires nothing (Wazuh drops "(NULL)" values)', () => {
    const set = loadRules([BUILTIN_RULES]);
    const nullUser = { ...(detectionRules(set)[0] as DetectionRule), detection: { sel: { SubjectUserName: '(NULL)' }, condition: 'sel' }, logsource: { product: 'windows' } };
    const pf = new Prefilter([...set.rules, nullUser]);
    assert.equal(pf.active, false);
  });

  it('splits needles at their top-level bars only, and the quoted ones behind one quote find the same lines', () => {
    assert.deepEqual(topAlternatives(String.raw`"a"|(b|c)|[|]|\||"x(?:y|z)"`), ['"a"', '(b|c)', '[|]', String.raw`\|`, '"x(?:y|z)"']);
    assert.deepEqual(topAlternatives(String.raw`"decoder"\s*:\s*\{[^}|]*"sudo"`), [String.raw`"decoder"\s*:\s*\{[^}|]*"sudo"`]);
    // A source's own alternatives each open with a quote: taken apart, not as one quote-led text.
    const sources = [
      '"squid-accesslog"|"event_type"\\s*:\\s*"http"',
      '"web-accesslog(?:-iis-default)?"',
      '4624',
      '"id"\\s*:\\s*"?(?:5712|5720)["\\s,}]',
      '\\\\u|\\\\\\/|[\\u0130\\u212a]|"wazuh"\\s*:\\s*\\{',
    ];
    const merged = new RegExp(needlePattern(sources), 'i');
    const plain = new RegExp(sources.join('|'), 'i');
    const probes = [
      ...alertLines(5_000),
      '{"event_type": "http"}', '{"decoder":{"name":"squid-accesslog"}}', '{"x":"WEB-ACCESSLOG-iis-default"}', '{"id": 5712}', '{"id":"5720x"}',
      '{"a":"\\u0041"}', '{"wazuh": {}}', '{"x":"event_type"}', '{"eventID":"4624"}', '{"n":1}',
    ];
    let passed = 0;
    for (const line of probes) {
      assert.equal(merged.test(line), plain.test(line), line.slice(0, 200));
      if (plain.test(line)) passed++;
    }
    assert.ok(passed > 10 && passed < probes.length, `${passed} of ${probes.length} pass`);
  });

  it('switches itself off when a rule requires nothing it can search for', () => {
    const set = loadRules([BUILTIN_RULES]);
    const open = { ...(detectionRules(set)[0] as DetectionRule), detection: { sel: { 'CommandLine|re': 'x+' }, condition: 'sel' }, logsource: { product: 'windows' } };
    const pf = new Prefilter([...set.rules, open]);
    assert.equal(pf.active, false);
    assert.ok(pf.mayMatch('{"anything": 1}'));
  });

  it('never skips what a SigmaHQ Windows rule matches', { skip: !existsSync(SIGMAHQ) && `no shared data at ${SIGMAHQ}` }, () => {
    const set = loadRules([SIGMAHQ]);
    const rules = detectionRules(set);
    const prefilter = new Prefilter(set.rules);
    let covered = 0;
    for (const rule of rules) {
      let hit = 0;
      for (const record of recordsFor(rule)) hit += assertNotSkipped([rule], prefilter, record, rule.ref.source ?? rule.ref.title);
      if (hit > 0) covered++;
    }
    // The events are built from the rules' own first alternatives; most rules match at least one of them.
    assert.ok(covered > rules.length * 0.6, `${covered} of ${rules.length} rules matched a built event`);
    // and on the benchmark's mix, every line any of the 2,000+ rules matches passes
    for (const line of alertLines(1000)) assertNotSkipped(rules, prefilter, JSON.parse(line), 'mix');
  });
});

/** Every rule that matches this record must be picked by its own literal screen, in compact and pretty JSON. */
function assertScreened(rules: DetectionRule[], record: Record<string, unknown>, what: string): number {
  const event = toEvent(structuredClone(record));
  const matching = rules.filter((r) => r.match[event.format](event.data));
  for (const r of matching) {
    const screen = new LiteralScreen([r]);
    for (const text of [JSON.stringify(record), JSON.stringify(record, null, 2)]) {
      assert.equal(screen.pick(text, text.toLowerCase(), []).length, 1, `${what}: ${r.ref.title} matches a record its literal screen skips (literals ${JSON.stringify(ruleLiterals(r))}):\n${text.slice(0, 600)}`);
    }
  }
  return matching.length;
}

/** The detections of a detector over lines, each event parsed with its raw line (as intake does). */
function detectionsOf(set: RuleSet, lines: string[], screen: boolean): string[] {
  const detector = new Detector(set, { screen });
  return lines.flatMap((l) => detector.process(toEvent(JSON.parse(l), l)).map((d) => `${d.rule.id} ${d.id}`));
}

describe('per-rule literal screen', () => {
  const builtin = loadRules([BUILTIN_RULES]);

  it('tells a JSON escape that can hide a literal from an escaped backslash', () => {
    assert.equal(hidesLiterals(String.raw`{"a":"\u0041"}`), true);
    assert.equal(hidesLiterals(String.raw`{"a":"http:\/\/x"}`), true);
    assert.equal(hidesLiterals(String.raw`{"a":"C:\\\u0041"}`), true);
    assert.equal(hidesLiterals(String.raw`{"a":"C:\\Users\\user1\\AppData"}`), false);
    assert.equal(hidesLiterals(String.raw`{"a":"\\\\unc\\share"}`), false);
  });

  it('picks every built-in rule for every rule-test event it matches', () => {
    let checked = 0;
    for (const file of listTestFiles(BUILTIN_RULES)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const t = doc.toJS() as { should_fire?: { events: unknown }[]; should_not_fire?: { events: unknown }[] };
        for (const c of [...(t.should_fire ?? []), ...(t.should_not_fire ?? [])]) {
          for (const e of expandEvents(c.events, file)) checked += assertScreened(detectionRules(builtin), e, file);
        }
      }
    }
    assert.ok(checked > 40, `${checked} matching events checked`);
  });

  it('picks every SigmaHQ Windows rule for the events built from its own selections, and changes no detection on the Windows mix', { skip: !existsSync(SIGMAHQ) && `no shared data at ${SIGMAHQ}` }, () => {
    const set = loadRules([SIGMAHQ]);
    const rules = detectionRules(set);
    let covered = 0;
    for (const rule of rules) {
      let hit = 0;
      for (const record of recordsFor(rule)) hit += assertScreened([rule], record, rule.ref.source ?? rule.ref.title);
      if (hit > 0) covered++;
    }
    assert.ok(covered > rules.length * 0.6, `${covered} of ${rules.length} rules matched a built event`);
    // Screened or not, the detector makes the same detections on the benchmark's Windows mix.
    const lines = windowsLines(6000);
    const screened = detectionsOf(set, lines, true);
    assert.ok(screened.length > 100, `${screened.length} detections`);
    assert.deepEqual(screened, detectionsOf(set, lines, false));
  });

  it('changes no detection of the built-in pack on the benchmark mix', () => {
    const lines = alertLines(20_000);
    const screened = detectionsOf(builtin, lines, true);
    assert.ok(screened.length > 100, `${screened.length} detections`);
    assert.deepEqual(screened, detectionsOf(builtin, lines, false));
  });
});
