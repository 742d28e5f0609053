// Rule test events: `<rule file>.test.yml` beside a rule file holds, per rule (one YAML document each), events
// that must make it fire and events that must not. Each case runs alone through a fresh Detector loaded with
// every rule under test, so correlations built on rules from other files work as they do in production.
//
// Format (README "Testing rules"):
//   rule: <id, name or title of a rule in the rule file>
//   should_fire:       # each case: name, events (in order), optional detections: <exact number>
//     - name: …
//       events: [ <Wazuh alert | {"win": …} eventchannel payload | evtx_dump {"Event": …}> | <repeat> … ]
//   should_not_fire: [ … same … ]
// where <repeat> is {repeat: N, every: 30s, event: {…}, vary: {dotted.path: "text with {i}"}}: N copies of the
// event, each `every` later than the one before (timestamp and data.win.system.systemTime are shifted), with
// `{i}` (0…N-1) filled into the varied fields and into the id.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Detection } from '../model/index.js';
import { parseWazuhTime, toEvent } from '../model/event.js';
import { Detector, silencedRules } from './detector.js';
import { loadRules, type LoadOptions, type Rule, type RuleSet } from './rules.js';

export interface CaseResult {
  kind: 'should_fire' | 'should_not_fire';
  name: string;
  ok: boolean;
  /** Why it failed. */
  message?: string;
}

export interface RuleResult {
  file: string;
  rule: string;
  cases: CaseResult[];
}

export interface RuleTestReport {
  results: RuleResult[];
  /** Test files or rule-set problems that make the run fail on their own. */
  errors: string[];
  /** Rules that emit detections but have no test events. */
  untested: { file: string; rule: string }[];
  rules: RuleSet;
}

export function listTestFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.test.yml') ? [path] : [];
  const out: string[] = [];
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...listTestFiles(full));
    else if (e.name.endsWith('.test.yml')) out.push(full);
  }
  return out;
}

const UNIT = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

function duration(v: unknown, where: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(String(v ?? ''));
  if (!m) throw new Error(`${where}: "every" must look like 500ms, 30s, 5m or 1h, not "${String(v)}"`);
  return Number(m[1]) * UNIT[m[2] as keyof typeof UNIT];
}

function setPath(obj: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]!] = value;
}

/** Moves every time an event carries by `ms`. */
function shift(e: Record<string, any>, ms: number): void {
  if (ms === 0) return;
  const wazuh = parseWazuhTime(e.timestamp);
  if (wazuh !== undefined) e.timestamp = new Date(wazuh + ms).toISOString().replace('Z', '+0000');
  const win = e.win ?? e.data?.win;
  if (typeof win?.system?.systemTime === 'string') win.system.systemTime = new Date(Date.parse(win.system.systemTime) + ms).toISOString();
  const created = e.Event?.System?.TimeCreated?.['#attributes'];
  if (typeof created?.SystemTime === 'string') created.SystemTime = new Date(Date.parse(created.SystemTime) + ms).toISOString();
}

/** Expands a case's event list (repeats) into plain event objects. */
export function expandEvents(list: unknown, where: string): Record<string, unknown>[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${where}: "events" must be a non-empty list`);
  const out: Record<string, unknown>[] = [];
  list.forEach((item, n) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new Error(`${where}: event ${n + 1} must be a map`);
    const it = item as Record<string, unknown>;
    if (it.repeat === undefined) {
      out.push(structuredClone(it));
      return;
    }
    const count = Number(it.repeat);
    if (!Number.isInteger(count) || count < 1) throw new Error(`${where}: "repeat" must be a positive whole number`);
    if (!it.event || typeof it.event !== 'object') throw new Error(`${where}: a repeat needs "event"`);
    const every = duration(it.every ?? '0s', where);
    const vary = (it.vary ?? {}) as Record<string, unknown>;
    for (let i = 0; i < count; i++) {
      const e = structuredClone(it.event) as Record<string, any>;
      shift(e, i * every);
      for (const [path, template] of Object.entries(vary)) setPath(e, path, String(template).replaceAll('{i}', String(i)));
      if (typeof e.id === 'string') e.id = `${e.id}.${i}`;
      out.push(e);
    }
  });
  return out;
}

function findRule(set: RuleSet, ref: string): Rule | undefined {
  return set.rules.find((r) => r.ref.id === ref || r.name === ref || r.ref.title === ref);
}

function runCase(set: RuleSet, rule: Rule, events: Record<string, unknown>[]): Detection[] {
  const detector = new Detector(set);
  const out: Detection[] = [];
  for (const e of events) for (const d of detector.process(toEvent(e))) if (d.rule.id === rule.ref.id) out.push(d);
  // A case is the whole input: windows judged at their close close at its end.
  for (const d of detector.flush()) if (d.rule.id === rule.ref.id) out.push(d);
  return out;
}

export function runRuleTests(paths: string[], options: LoadOptions = {}): RuleTestReport {
  const set = loadRules(paths, process.cwd(), options);
  const report: RuleTestReport = { results: [], errors: [], untested: [], rules: set };
  for (const p of set.problems) report.errors.push(`${p.file}${p.rule ? ` (${p.rule})` : ''}: ${p.kind}: ${p.message}`);
  const tested = new Set<Rule>();
  for (const path of paths) {
    let files: string[];
    try {
      files = listTestFiles(path);
    } catch (err) {
      report.errors.push(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`);
      continue;
    }
    for (const file of files) runTestFile(file, set, report, tested);
  }
  const silenced = silencedRules(set);
  for (const r of set.rules)
    if (!tested.has(r) && !silenced.has(r)) report.untested.push({ file: r.ref.source ?? '?', rule: r.ref.title });
  return report;
}

function runTestFile(file: string, set: RuleSet, report: RuleTestReport, tested: Set<Rule>): void {
  const stem = join(dirname(file), basename(file).replace(/\.test\.yml$/, ''));
  const ruleFiles = [resolve(`${stem}.yml`), resolve(`${stem}.yaml`)];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) {
      report.errors.push(`${file}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      continue;
    }
    const spec = doc.toJS() as Record<string, unknown> | null;
    if (!spec) continue;
    const ref = String(spec.rule ?? '');
    const rule = findRule(set, ref);
    if (!rule || !ruleFiles.includes(resolve(rule.ref.source ?? ''))) {
      report.errors.push(`${file}: "rule: ${ref}" names no rule loaded from ${basename(stem)}.yml`);
      continue;
    }
    tested.add(rule);
    const result: RuleResult = { file: rule.ref.source ?? file, rule: rule.ref.title, cases: [] };
    for (const kind of ['should_fire', 'should_not_fire'] as const) {
      const cases = spec[kind] ?? [];
      if (!Array.isArray(cases)) {
        report.errors.push(`${file} (${ref}): "${kind}" must be a list of cases`);
        continue;
      }
      cases.forEach((c: Record<string, unknown>, i: number) => {
        const name = typeof c?.name === 'string' ? c.name : `${kind} #${i + 1}`;
        try {
          const ds = runCase(set, rule, expandEvents(c.events, `${file} (${ref}) "${name}"`));
          const want = c.detections === undefined ? undefined : Number(c.detections);
          let message: string | undefined;
          if (kind === 'should_not_fire' && ds.length > 0) message = `fired ${ds.length} time(s)`;
          if (kind === 'should_fire' && ds.length === 0) message = 'did not fire';
          if (kind === 'should_fire' && want !== undefined && ds.length !== want && ds.length > 0)
            message = `fired ${ds.length} time(s), expected ${want}`;
          result.cases.push({ kind, name, ok: message === undefined, message });
        } catch (err) {
          result.cases.push({ kind, name, ok: false, message: (err as Error).message });
        }
      });
    }
    if (result.cases.length === 0) report.errors.push(`${file} (${ref}): no should_fire or should_not_fire cases`);
    report.results.push(result);
  }
}
