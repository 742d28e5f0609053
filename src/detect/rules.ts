// Loads Sigma rule files (multi-document YAML) into compiled detection rules and correlation rules.
// A rule that is invalid or uses an unsupported construct is reported with its file and the construct.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LEVELS, type EventFormat, type Level, type RuleRef } from '../model/index.js';
import type { Accessor } from './fields.js';
import type { Logsource } from './logsource.js';
import type { Source } from './sources/source.js';
import { fieldGaps, wcsGaps, type GapSources } from './wcs-gaps.js';
import { cleanDocuments, type RuleDocument } from './rule-documents.js';
import { RuleReader } from './rule-reader.js';
import { compileForFormats, type CompileOptions, type Matcher } from './sigma/compile.js';
import { ConditionError } from './sigma/condition.js';
import { buildFilter, logsourceContains, type SigmaFilter } from './sigma/filters.js';
import { SigmaError, UnsupportedError } from './sigma/values.js';
import { VigilError, type ErrorLocation } from '../errors.js';

export const FORMATS: EventFormat[] = ['wazuh', 'evtx-json', 'wcs'];

export interface DetectionRule {
  kind: 'detection';
  ref: RuleRef;
  name?: string;
  logsource: Logsource;
  /** Compiled gate ∧ detection (∧ the Sigma filters that apply), per input format. */
  match: Record<EventFormat, Matcher>;
  /** The rule's `detection` section as written: the detector's prefilter reads the event ids it requires. */
  detection: Record<string, unknown>;
  /** Titles of the Sigma filters applied to this rule. */
  filters?: string[];
  /** Their keys (SigmaFilter.key), in the order applied: what a backtest compares. */
  filterKeys?: string[];
  /**
   * Fields it needs that Wazuh 5.x findings lack, or its source when Vigil reads that from 4.x alerts only
   * (README "Wazuh 5.x"); empty when it runs fully on 5.x input.
   */
  wcsGaps: string[];
  /** Its source on 4.x alerts and on 5.x documents, for the gaps of correlations over it. */
  gapSources: GapSources;
  /** Where a field of this rule's logsource is read, per format (correlations group its events by them). */
  field: Record<EventFormat, (name: string) => Accessor>;
  /** The key of its source in the rule index (dispatch.ts), when the source has one (sources/source.ts `key`). */
  sourceKey?: string | string[];
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';
export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationRule {
  kind: 'correlation';
  ref: RuleRef;
  name?: string;
  type: CorrelationType;
  /** Ids or names of the rules it correlates (detection rules or other correlations). */
  rules: string[];
  groupBy: string[];
  /** alias → (referenced rule id or name → the field that rule's events carry the value in). */
  aliases: Record<string, Record<string, string>>;
  /** Milliseconds. */
  timespan: number;
  /**
   * `ops`: every operator of the condition (a range has two), all of which must hold; `op`/`value`: the first.
   * `field` (value_*): the field(s) whose distinct value (tuple) is counted, or whose numbers are summed,
   * averaged or ranked. `percentile` (value_percentile): 1-100.
   */
  condition: { op: CompareOp; value: number; ops: { op: CompareOp; value: number }[]; field?: string[]; percentile?: number };
  /**
   * Judged when a window closes (see correlation/closing.ts): lt, lte, eq, neq, ranges and the value_sum,
   * value_avg and value_percentile types. Otherwise (gt, gte on counts) the sliding engine fires as soon as the
   * threshold is crossed.
   */
  closing: boolean;
  /**
   * Whether the referenced rules keep their own output (Sigma: true or false). Vigil extension: a list of
   * referenced rule ids or names keeps the output of those alone.
   */
  generate: boolean | string[];
  /** Group-by or counted fields Wazuh 5.x findings lack (on the sources of the rules it correlates). */
  wcsGaps: string[];
}

export type Rule = DetectionRule | CorrelationRule;

export interface RuleProblem {
  file: string;
  rule?: string;
  /** rejected: invalid Sigma. unsupported: valid Sigma that Vigil does not evaluate. */
  kind: 'rejected' | 'unsupported';
  message: string;
}

/**
 * The construct a refusal is about, for counts (start-up summary, `vigil_rules_refused{reason}`, lint totals):
 * `invalid` (rejected Sigma), `logsource`, `field`, `modifier`, `regex`, `correlation`, `placeholder`,
 * `taxonomy`, `timeframe`, `keywords`, `reference`, or `other`.
 */
export function refusalReason(p: Pick<RuleProblem, 'kind' | 'message'>): string {
  const m = p.message;
  if (/^correlation refers to|^filter names|^filters do not apply|^its logsource does not contain/.test(m)) return 'reference';
  if (p.kind === 'rejected') return 'invalid';
  if (m.startsWith('logsource')) return 'logsource';
  if (m.startsWith('field "')) return 'field';
  if (/^value modifier|^"windash" before/.test(m)) return 'modifier';
  if (/regular expression|regex|\(\?/.test(m)) return 'regex';
  if (/^correlation/.test(m) || /streaming mode/.test(m) || /^temporal_ordered/.test(m)) return 'correlation';
  if (/placeholder/.test(m)) return 'placeholder';
  if (m.startsWith('taxonomy')) return 'taxonomy';
  if (m.startsWith('detection.timeframe')) return 'timeframe';
  if (m.startsWith('keywords')) return 'keywords';
  return 'other';
}

/** One line: "N rules refused and skipped (logsource 3, field 2)". */
export function refusalSummary(problems: RuleProblem[]): string {
  return `${problems.length} rules refused and skipped (${refusalCounts(problems).map(([r, n]) => `${r} ${n}`).join(', ')}); rules.strict makes this fatal`;
}

/** Refusals counted by reason, most frequent first. */
export function refusalCounts(problems: RuleProblem[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(refusalReason(p), (counts.get(refusalReason(p)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export interface RuleSet {
  rules: Rule[];
  problems: RuleProblem[];
  /** Files read, for lint totals, named as in `RuleProblem.file`. */
  files: string[];
  /** Sigma filters loaded (already applied to the rules they name). */
  filters?: SigmaFilter[];
}

export interface LoadOptions extends CompileOptions {}

const TIMESPAN = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function listRuleFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...listRuleFiles(full));
    else if (/\.ya?ml$/i.test(entry.name) && !entry.name.endsWith('.test.yml')) out.push(full);
  }
  return out;
}

/** Rule text that is not (yet) a file: a proposed filter under test, named as `file` in problems. */
export interface RuleText {
  file: string;
  text: string;
}

/** One step of a load: a rule file, or a path that could not be listed. */
type LoadStep = { file: string; name: string } | { problem: RuleProblem };

/** The files of `paths` in load order, each named relative to `base`, with the paths that cannot be read. */
function loadSteps(paths: string[], base: string): LoadStep[] {
  const steps: LoadStep[] = [];
  for (const p of paths) {
    try {
      for (const file of listRuleFiles(p)) steps.push({ file, name: relative(base, file) || file });
    } catch (err) {
      steps.push({ problem: { file: p, kind: 'rejected', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}` } });
    }
  }
  return steps;
}

/** What both loaders do after the files: the rule texts, then references and filters across everything loaded. */
function finishLoad(set: RuleSet, texts: RuleText[], options: LoadOptions): RuleSet {
  for (const t of texts) {
    set.files.push(t.file);
    parseRuleFile(t.text, t.file, set, options);
  }
  checkReferences(set);
  applyFilters(set);
  return set;
}

export function loadRules(paths: string[], base = process.cwd(), options: LoadOptions = {}, texts: RuleText[] = []): RuleSet {
  const set: RuleSet = { rules: [], problems: [], files: [], filters: [] };
  for (const step of loadSteps(paths, base)) {
    if ('problem' in step) set.problems.push(step.problem);
    else {
      set.files.push(step.name);
      addRuleDocuments(readDocuments(step.file), step.name, set, options);
    }
  }
  return finishLoad(set, texts, options);
}

/**
 * loadRules with the files parsed on a second thread while this one compiles (rule-reader.ts), for start-up:
 * the same rules, problems and files in the same order. The event loop turns while it waits for the thread.
 */
export async function loadRulesAsync(paths: string[], base = process.cwd(), options: LoadOptions = {}, texts: RuleText[] = []): Promise<RuleSet> {
  const set: RuleSet = { rules: [], problems: [], files: [], filters: [] };
  const steps = loadSteps(paths, base);
  const reader = new RuleReader(steps.flatMap((s) => ('file' in s ? [s.file] : [])), readDocuments);
  try {
    let i = 0;
    for (const step of steps) {
      if ('problem' in step) set.problems.push(step.problem);
      else {
        set.files.push(step.name);
        addRuleDocuments(await reader.documents(i++), step.name, set, options);
      }
    }
  } finally {
    reader.close();
  }
  return finishLoad(set, texts, options);
}

/**
 * The documents of a rule file as plain values. js-yaml (YAML 1.2 core schema, the same values as the yaml
 * package's, about four times faster) reads files that parse cleanly; a file with an error anywhere is read
 * again by the yaml package, which reports each document's own error and still reads the others.
 */
function ruleDocuments(text: string): RuleDocument[] {
  try {
    return cleanDocuments(text);
  } catch {
    const docs = parseAllDocuments(text);
    return (Array.isArray(docs) ? docs : [docs]).map((doc) =>
      doc.errors.length > 0 ? { error: doc.errors[0]!.message.split('\n')[0]!.replace(/:$/, '') } : { value: doc.toJS() },
    );
  }
}

const readDocuments = (file: string) => ruleDocuments(readFileSync(file, 'utf8'));

export function parseRuleFile(text: string, file: string, set: RuleSet, options: LoadOptions = {}): void {
  addRuleDocuments(ruleDocuments(text), file, set, options);
}

/** Builds the rules and filters of one file's documents into `set`, and reports those it refuses. */
function addRuleDocuments(docs: RuleDocument[], file: string, set: RuleSet, options: LoadOptions): void {
  for (const doc of docs) {
    if ('error' in doc) {
      set.problems.push({ file, kind: 'rejected', message: `invalid YAML: ${doc.error}` });
      continue;
    }
    const raw = doc.value as Record<string, unknown> | null;
    if (raw === null || raw === undefined) continue;
    try {
      if (raw.filter !== undefined) {
        checkTaxonomy(raw);
        (set.filters ??= []).push(buildFilter(raw, file, options));
      }
      else set.rules.push(buildRule(raw, file, options));
    } catch (err) {
      const title = typeof raw.title === 'string' ? raw.title : undefined;
      if (err instanceof UnsupportedError) set.problems.push({ file, rule: title, kind: 'unsupported', message: err.message });
      else if (err instanceof ConditionError || err instanceof RuleError || err instanceof SigmaError)
        set.problems.push({ file, rule: title, kind: 'rejected', message: err.message });
      else throw err;
    }
  }
}

export class RuleError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('rule', message, location);
  }
}

/** Field names are read in Sigma's own taxonomy; another (e.g. `ecs`) would be silently misread. */
export function checkTaxonomy(raw: Record<string, unknown>): void {
  if (raw.taxonomy !== undefined && raw.taxonomy !== 'sigma') throw new UnsupportedError(`taxonomy "${String(raw.taxonomy)}" (only "sigma" field names are mapped)`);
}

function ruleRef(raw: Record<string, unknown>, file: string): RuleRef {
  if (typeof raw.title !== 'string' || raw.title === '') throw new RuleError('missing "title"');
  const level = (raw.level ?? 'medium') as Level;
  if (!LEVELS.includes(level)) throw new RuleError(`"level" must be one of ${LEVELS.join(', ')}, not "${raw.level}"`);
  const id = typeof raw.id === 'string' ? raw.id : typeof raw.name === 'string' ? raw.name : raw.title;
  return {
    id,
    title: raw.title,
    level,
    author: typeof raw.author === 'string' ? raw.author : undefined,
    // A YAML block scalar ends in a line break (and may fold lines): the description is one line of prose.
    description: typeof raw.description === 'string' && raw.description.trim() !== '' ? raw.description.trim().replace(/\s+/g, ' ') : undefined,
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    source: file,
  };
}

function buildRule(raw: Record<string, unknown>, file: string, options: LoadOptions): Rule {
  const ref = ruleRef(raw, file);
  checkTaxonomy(raw);
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  if (raw.correlation !== undefined) return buildCorrelation(raw.correlation, ref, name);
  const detection = raw.detection;
  if (!detection || typeof detection !== 'object' || Array.isArray(detection)) throw new RuleError('missing "detection" map');
  if (!raw.logsource || typeof raw.logsource !== 'object') throw new RuleError('missing "logsource" map');
  const logsource = raw.logsource as Logsource;
  if ((detection as Record<string, unknown>).condition === undefined) throw new RuleError('missing "detection.condition"');
  const match = {} as Record<EventFormat, Matcher>;
  const field = {} as Record<EventFormat, (name: string) => Accessor>;
  const sources = {} as Record<EventFormat, Source>;
  for (const { format, source, body } of compileForFormats(detection as Record<string, unknown>, logsource, FORMATS, options)) {
    sources[format] = source;
    const gate = source.gate;
    match[format] = (d) => gate(d) && body(d);
    field[format] = (n) => source.field(n);
  }
  const gapSources = { v4: sources.wazuh, wcs: sources.wcs };
  const sourceKey = sources.wazuh.key;
  return { kind: 'detection', ref, name, logsource, match, detection: detection as Record<string, unknown>, field, sourceKey, wcsGaps: wcsGaps(detection as Record<string, unknown>, gapSources), gapSources };
}

const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile'];
const OPS: CompareOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

function buildCorrelation(raw: unknown, ref: RuleRef, name: string | undefined): CorrelationRule {
  if (!raw || typeof raw !== 'object') throw new RuleError('"correlation" must be a map');
  const c = raw as Record<string, unknown>;
  const type = c.type as CorrelationType;
  if (c.type === 'value_median') throw new UnsupportedError('correlation type "value_median" (pySigma\'s, not in the Sigma specification; use value_percentile with percentile: 50)');
  if (!CORRELATION_TYPES.includes(type))
    throw new RuleError(`correlation.type must be one of ${CORRELATION_TYPES.join(', ')}, not "${String(c.type)}"`);
  const rules = typeof c.rules === 'string' ? [c.rules] : c.rules;
  if (!Array.isArray(rules) || rules.length === 0 || rules.some((r) => typeof r !== 'string' || r === ''))
    throw new RuleError('correlation.rules must list rule ids or names');
  const groupBy = c['group-by'] === undefined ? [] : c['group-by'];
  if (!Array.isArray(groupBy) || groupBy.some((g) => typeof g !== 'string' || g === ''))
    throw new RuleError('correlation.group-by must be a list of field names');
  const aliases = buildAliases(c.aliases, rules as string[]);
  const ts = TIMESPAN.exec(String(c.timespan ?? ''));
  if (!ts) throw new RuleError(`correlation.timespan must look like 30s, 5m, 1h or 1d, not "${String(c.timespan)}"`);
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const metric = type === 'value_sum' || type === 'value_avg' || type === 'value_percentile';
  const cond = (c.condition ?? (temporal ? { gte: rules.length } : undefined)) as Record<string, unknown> | undefined;
  if (!cond || typeof cond !== 'object' || Array.isArray(cond)) throw new RuleError(`correlation.condition is required for ${type}`);
  const names = Object.keys(cond).filter((k) => k !== 'field' && k !== 'percentile');
  for (const op of names) if (!OPS.includes(op as CompareOp)) throw new RuleError(`correlation.condition: unknown operator "${op}"`);
  if (names.length === 0) throw new RuleError('correlation.condition needs an operator (gt, gte, lt, lte, eq or neq)');
  if (names.length > 3) throw new RuleError('correlation.condition has more than three operators');
  const ops = names.map((op) => {
    const value = Number(cond[op]);
    // Counts are whole numbers; a sum, an average or a percentile of numbers need not be.
    if (!Number.isFinite(value) || (!metric && (!Number.isInteger(value) || value < 0)))
      throw new RuleError(`correlation.condition.${op} must be a ${metric ? 'number' : 'whole number'}, not "${String(cond[op])}"`);
    return { op: op as CompareOp, value };
  });
  const rawField = cond.field;
  const field = rawField === undefined ? undefined : Array.isArray(rawField) ? rawField.map(String) : [String(rawField)];
  if ((type === 'value_count' || metric) && (!field || field.length === 0 || field.some((f) => f === '')))
    throw new RuleError(`${type} needs condition.field (a field name${type === 'value_count' ? ' or a list of them' : ''})`);
  if (metric && field!.length !== 1) throw new RuleError(`${type} takes one condition.field, not a list`);
  if (type !== 'value_count' && !metric && field) throw new RuleError(`condition.field is only meaningful for value_count and the value_* types, not ${type}`);
  let pct: number | undefined;
  if (type === 'value_percentile') {
    pct = Number(cond.percentile);
    if (!Number.isInteger(pct) || pct < 1 || pct > 100) throw new RuleError(`value_percentile needs condition.percentile, a whole number from 1 to 100, not "${String(cond.percentile)}"`);
  } else if (cond.percentile !== undefined) throw new RuleError('condition.percentile is only meaningful for value_percentile');
  // A window in a stream never closes by itself: a threshold crossed upwards (gt, gte on a count) fires at once;
  // everything else is judged when the group's window closes (correlation/closing.ts, README "Correlations").
  const closing = metric || ops.length > 1 || !(ops[0]!.op === 'gt' || ops[0]!.op === 'gte');
  if (temporal) {
    for (const { op, value } of ops) {
      const need = op === 'gt' ? value + 1 : op === 'lt' ? value - 1 : value;
      if ((op === 'gt' || op === 'gte' || op === 'eq') && need > rules.length)
        throw new RuleError(`correlation.condition asks for ${need} distinct rules but only ${rules.length} are listed`);
    }
    if (type === 'temporal_ordered' && (closing || (ops[0]!.op === 'gt' ? ops[0]!.value + 1 : ops[0]!.value) !== rules.length))
      throw new UnsupportedError('temporal_ordered with a condition other than "all rules, in order"');
  }
  const [first] = ops as [{ op: CompareOp; value: number }];
  return {
    kind: 'correlation',
    ref,
    name,
    type,
    rules: rules as string[],
    groupBy: groupBy as string[],
    aliases,
    timespan: Number(ts[1]) * UNIT_MS[ts[2] as keyof typeof UNIT_MS],
    condition: { op: first.op, value: first.value, ops, field, percentile: pct },
    closing,
    generate: buildGenerate(c.generate, rules as string[]),
    wcsGaps: [], // set by checkReferences, which knows the rules it correlates
  };
}

function buildGenerate(raw: unknown, rules: string[]): boolean | string[] {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  if (!Array.isArray(raw)) throw new RuleError('correlation.generate must be true, false or a list of rules from correlation.rules');
  for (const r of raw)
    if (typeof r !== 'string' || !rules.includes(r)) throw new RuleError(`correlation.generate names "${String(r)}", which is not in correlation.rules`);
  return raw as string[];
}

function buildAliases(raw: unknown, rules: string[]): Record<string, Record<string, string>> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new RuleError('correlation.aliases must map alias → {rule: field}');
  const out: Record<string, Record<string, string>> = {};
  for (const [alias, map] of Object.entries(raw as Record<string, unknown>)) {
    if (!map || typeof map !== 'object' || Array.isArray(map)) throw new RuleError(`correlation.aliases.${alias} must map rule → field`);
    out[alias] = {};
    for (const [rule, field] of Object.entries(map as Record<string, unknown>)) {
      if (!rules.includes(rule)) throw new RuleError(`correlation.aliases.${alias} names "${rule}", which is not in correlation.rules`);
      if (typeof field !== 'string' || field === '') throw new RuleError(`correlation.aliases.${alias}.${rule} must be a field name`);
      out[alias][rule] = field;
    }
  }
  return out;
}

/**
 * Every correlation must name rules that exist, and chains of correlations must not loop; a dangling or
 * circular reference rejects the correlation (and, transitively, correlations built on it).
 */
export function checkReferences(set: RuleSet): void {
  for (;;) {
    const byRef = new Map<string, Rule>();
    for (const r of set.rules) {
      byRef.set(r.ref.id, r);
      if (r.name) byRef.set(r.name, r);
    }
    const bad = new Map<Rule, { kind: RuleProblem['kind']; message: string }>();
    for (const r of set.rules) {
      if (r.kind !== 'correlation') continue;
      const missing = r.rules.filter((x) => !byRef.has(x));
      if (missing.length > 0) bad.set(r, { kind: 'rejected', message: `correlation refers to unknown rule(s): ${missing.join(', ')}` });
      else if (reaches(r, r, byRef, new Set())) bad.set(r, { kind: 'rejected', message: 'correlation refers to itself through its chain of rules' });
      else {
        const unmapped = unmappedField(r, byRef);
        if (unmapped) bad.set(r, { kind: 'unsupported', message: unmapped });
      }
    }
    if (bad.size === 0) {
      for (const r of set.rules) if (r.kind === 'correlation') r.wcsGaps = correlationGaps(r, byRef);
      return;
    }
    for (const [r, { kind, message }] of bad) set.problems.push({ file: r.ref.source ?? '?', rule: r.ref.title, kind, message });
    set.rules = set.rules.filter((r) => !bad.has(r));
  }
}

/** A group-by, alias or condition field that a referenced rule's logsource does not write: why, or undefined. */
function unmappedField(c: CorrelationRule, byRef: Map<string, Rule>): string | undefined {
  for (const ref of c.rules) {
    const base = byRef.get(ref);
    if (!base || base.kind !== 'detection') continue;
    const fields = [...c.groupBy.map((g) => c.aliases[g]?.[ref] ?? g), ...(c.condition.field ?? [])];
    for (const f of fields)
      for (const format of FORMATS) {
        try {
          base.field[format](f);
        } catch (err) {
          if (err instanceof UnsupportedError) return `correlation field "${f}" on "${base.ref.title}": ${err.message}`;
          throw err;
        }
      }
  }
  return undefined;
}

/** The 5.x gaps of a correlation's group-by and condition fields, on each detection rule it correlates. */
function correlationGaps(c: CorrelationRule, byRef: Map<string, Rule>): string[] {
  const out: string[] = [];
  for (const ref of c.rules) {
    const base = byRef.get(ref);
    if (!base || base.kind !== 'detection') continue;
    out.push(...fieldGaps([...c.groupBy.map((g) => c.aliases[g]?.[ref] ?? g), ...(c.condition.field ?? [])], base.gapSources));
  }
  return [...new Set(out)];
}

function reaches(from: CorrelationRule, target: Rule, byRef: Map<string, Rule>, seen: Set<Rule>): boolean {
  for (const ref of from.rules) {
    const r = byRef.get(ref);
    if (!r || r.kind !== 'correlation') continue;
    if (r === target) return true;
    if (seen.has(r)) continue;
    seen.add(r);
    if (reaches(r, target, byRef, seen)) return true;
  }
  return false;
}

/**
 * Applies each Sigma filter to the detection rules it names (or, with no names, to every rule its logsource
 * contains). A filter naming a rule that is not loaded, a correlation, or a rule outside its logsource is
 * reported and applied to nothing: an exclusion that silently misses its rule would hide the mistake.
 */
function applyFilters(set: RuleSet): void {
  const applied: SigmaFilter[] = [];
  for (const f of set.filters ?? []) {
    const { targets, problems } = filterTargets(set.rules, f);
    if (problems.length > 0) {
      set.problems.push({ file: f.source, rule: f.title, kind: 'rejected', message: problems.join('; ') });
      continue;
    }
    applyFilter(f, targets);
    applied.push(f);
  }
  set.filters = applied;
}

/** The detection rules a filter applies to, or why it applies to none. */
export function filterTargets(rules: Rule[], f: SigmaFilter): { targets: DetectionRule[]; problems: string[] } {
  const wanted = new Set(f.rules);
  const found = new Set<string>();
  const problems: string[] = [];
  const targets: DetectionRule[] = [];
  for (const r of rules) {
    const named = wanted.has(r.ref.id) || (r.name !== undefined && wanted.has(r.name));
    if (named) {
      if (wanted.has(r.ref.id)) found.add(r.ref.id);
      if (r.name !== undefined && wanted.has(r.name)) found.add(r.name);
      if (r.kind !== 'detection') problems.push(`filters do not apply to correlation rules ("${r.ref.title}")`);
      else if (!logsourceContains(f.logsource, r.logsource)) problems.push(`its logsource does not contain that of "${r.ref.title}"`);
      else targets.push(r);
    } else if (wanted.size === 0 && r.kind === 'detection' && logsourceContains(f.logsource, r.logsource)) targets.push(r);
  }
  const missing = f.rules.filter((x) => !found.has(x));
  if (missing.length > 0) problems.push(`filter names unknown rule(s): ${missing.join(', ')}`);
  return { targets, problems };
}

/**
 * Narrows each target by the filter. The detector reads `match` at every event, so applied to the running
 * rules this takes effect with the next event (an accepted filter, src/tuning/filters.ts).
 */
export function applyFilter(f: SigmaFilter, targets: DetectionRule[]): void {
  for (const r of targets) {
    for (const format of FORMATS) {
      const rule = r.match[format];
      const filter = f.match[format];
      r.match[format] = (d) => rule(d) && filter(d);
    }
    (r.filters ??= []).push(f.title);
    (r.filterKeys ??= []).push(f.key);
  }
}
