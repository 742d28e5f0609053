// Loads Sigma rule files (multi-document YAML) into compiled detection rules and correlation rules.
// A rule that is invalid or uses an unsupported construct is reported with its file and the construct.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LEVELS, type EventFormat, type Level, type RuleRef } from '../model/index.js';
import { compileGate, type Gate, type Logsource } from './logsource.js';
import { compileDetection, type Matcher } from './sigma/compile.js';
import { ConditionError } from './sigma/condition.js';
import { UnsupportedError } from './sigma/values.js';

export const FORMATS: EventFormat[] = ['wazuh', 'evtx-json'];

export interface DetectionRule {
  kind: 'detection';
  ref: RuleRef;
  name?: string;
  logsource: Logsource;
  /** Compiled gate ∧ detection, per input format. */
  match: Record<EventFormat, Matcher>;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationRule {
  kind: 'correlation';
  ref: RuleRef;
  name?: string;
  type: CorrelationType;
  /** Ids or names of the rules it correlates. */
  rules: string[];
  groupBy: string[];
  /** Milliseconds. */
  timespan: number;
  condition: { op: CompareOp; value: number; field?: string };
  generate: boolean;
}

export type Rule = DetectionRule | CorrelationRule;

export interface RuleProblem {
  file: string;
  rule?: string;
  /** rejected: invalid Sigma. unsupported: valid Sigma that Vigil does not evaluate. */
  kind: 'rejected' | 'unsupported';
  message: string;
}

export interface RuleSet {
  rules: Rule[];
  problems: RuleProblem[];
  /** Files read, for lint totals. */
  files: string[];
}

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

export function loadRules(paths: string[], base = process.cwd()): RuleSet {
  const set: RuleSet = { rules: [], problems: [], files: [] };
  for (const p of paths) {
    let files: string[];
    try {
      files = listRuleFiles(p);
    } catch (err) {
      set.problems.push({ file: p, kind: 'rejected', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}` });
      continue;
    }
    for (const file of files) {
      set.files.push(file);
      parseRuleFile(readFileSync(file, 'utf8'), relative(base, file) || file, set);
    }
  }
  checkReferences(set);
  return set;
}

export function parseRuleFile(text: string, file: string, set: RuleSet): void {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      set.problems.push({ file, kind: 'rejected', message: `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}` });
      continue;
    }
    const raw = doc.toJS() as Record<string, unknown> | null;
    if (raw === null || raw === undefined) continue;
    try {
      set.rules.push(buildRule(raw, file));
    } catch (err) {
      const title = typeof raw.title === 'string' ? raw.title : undefined;
      if (err instanceof UnsupportedError) set.problems.push({ file, rule: title, kind: 'unsupported', message: err.message });
      else if (err instanceof ConditionError || err instanceof RuleError)
        set.problems.push({ file, rule: title, kind: 'rejected', message: err.message });
      else throw err;
    }
  }
}

export class RuleError extends Error {}

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
    description: typeof raw.description === 'string' ? raw.description : undefined,
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    source: file,
  };
}

function buildRule(raw: Record<string, unknown>, file: string): Rule {
  const ref = ruleRef(raw, file);
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  if (raw.correlation !== undefined) return buildCorrelation(raw.correlation, ref, name);
  if (raw.filter !== undefined) throw new UnsupportedError('Sigma filter documents');
  const detection = raw.detection;
  if (!detection || typeof detection !== 'object' || Array.isArray(detection)) throw new RuleError('missing "detection" map');
  if (!raw.logsource || typeof raw.logsource !== 'object') throw new RuleError('missing "logsource" map');
  const logsource = raw.logsource as Logsource;
  if ((detection as Record<string, unknown>).condition === undefined) throw new RuleError('missing "detection.condition"');
  const match = {} as Record<EventFormat, Matcher>;
  for (const format of FORMATS) {
    const gate: Gate = compileGate(logsource, format);
    const body = compileDetection(detection as Record<string, unknown>, format);
    match[format] = (d) => gate(d) && body(d);
  }
  return { kind: 'detection', ref, name, logsource, match };
}

function buildCorrelation(raw: unknown, ref: RuleRef, name: string | undefined): CorrelationRule {
  if (!raw || typeof raw !== 'object') throw new RuleError('"correlation" must be a map');
  const c = raw as Record<string, unknown>;
  const type = c.type as CorrelationType;
  if (!['event_count', 'value_count', 'temporal', 'temporal_ordered'].includes(type))
    throw new UnsupportedError(`correlation type "${String(c.type)}"`);
  if (type !== 'event_count' && type !== 'value_count') throw new UnsupportedError(`correlation type "${type}"`);
  const rules = typeof c.rules === 'string' ? [c.rules] : c.rules;
  if (!Array.isArray(rules) || rules.length === 0) throw new RuleError('correlation.rules must list rule ids or names');
  const groupBy = c['group-by'] === undefined ? [] : c['group-by'];
  if (!Array.isArray(groupBy)) throw new RuleError('correlation.group-by must be a list of fields');
  if (c.aliases !== undefined) throw new UnsupportedError('correlation aliases');
  const ts = TIMESPAN.exec(String(c.timespan ?? ''));
  if (!ts) throw new RuleError(`correlation.timespan must look like 30s, 5m, 1h or 1d, not "${String(c.timespan)}"`);
  const cond = c.condition as Record<string, unknown> | undefined;
  if (!cond || typeof cond !== 'object') throw new RuleError('correlation.condition is required for ' + type);
  const ops = Object.keys(cond).filter((k) => k !== 'field') as CompareOp[];
  if (ops.length !== 1 || !['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(ops[0]!))
    throw new RuleError('correlation.condition needs exactly one of gt, gte, lt, lte, eq, neq');
  const op = ops[0]!;
  if (op === 'lt' || op === 'lte' || op === 'neq' || op === 'eq')
    throw new UnsupportedError(`correlation condition "${op}" in streaming mode`);
  const value = Number(cond[op]);
  if (!Number.isFinite(value)) throw new RuleError(`correlation.condition.${op} must be a number`);
  const field = cond.field;
  if (type === 'value_count' && typeof field !== 'string') throw new RuleError('value_count needs condition.field');
  return {
    kind: 'correlation',
    ref,
    name,
    type,
    rules: rules.map(String),
    groupBy: groupBy.map(String),
    timespan: Number(ts[1]) * UNIT_MS[ts[2] as keyof typeof UNIT_MS],
    condition: { op, value, field: typeof field === 'string' ? field : undefined },
    generate: c.generate === true,
  };
}

/** Every correlation must name rules that exist; a dangling reference rejects the correlation. */
function checkReferences(set: RuleSet): void {
  const known = new Set<string>();
  for (const r of set.rules) {
    known.add(r.ref.id);
    if (r.name) known.add(r.name);
  }
  set.rules = set.rules.filter((r) => {
    if (r.kind !== 'correlation') return true;
    const missing = r.rules.filter((x) => !known.has(x));
    if (missing.length === 0) return true;
    set.problems.push({
      file: r.ref.source ?? '?',
      rule: r.ref.title,
      kind: 'rejected',
      message: `correlation refers to unknown rule(s): ${missing.join(', ')}`,
    });
    return false;
  });
}
