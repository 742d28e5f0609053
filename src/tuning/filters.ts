// Accepting a Sigma filter: a person reads (and may edit) a proposed filter, backtests it, and accepts it. Only then
// is it applied — to the running rules at once (the detector reads each rule's match at every event), appended to
// the accepted-filters file (tuning.filtersFile) so the next start loads it with the rules, and written to the
// audit log with its full text. A filter that is invalid, names no rule, or names a rule it cannot apply to is
// refused whole (and the refusal audited): nothing of it is applied.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Kysely } from 'kysely';
import { applyFilter, filterTargets, parseRuleFile, type DetectionRule, type LoadOptions, type RuleSet } from '../detect/rules.js';
import type { SigmaFilter } from '../detect/sigma/filters.js';
import { VigilError } from '../errors.js';
import { audit } from '../store/audit.js';
import type { Database } from '../store/schema.js';

export class FilterError extends VigilError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** The filters of a YAML text, or the reasons it is refused. Only filter documents are taken. */
export function parseFilters(text: string, file: string, options: LoadOptions): SigmaFilter[] {
  if (typeof text !== 'string' || text.trim() === '') throw new FilterError('the filter text is empty');
  const set: RuleSet = { rules: [], problems: [], files: [], filters: [] };
  parseRuleFile(text, file, set, options);
  if (set.rules.length > 0) throw new FilterError(`only Sigma filters can be accepted here; "${set.rules[0]!.ref.title}" is a rule (add rules through rules.paths)`);
  if (set.problems.length > 0) throw new FilterError(set.problems.map((p) => `${p.rule ? `${p.rule}: ` : ''}${p.message}`).join('; '));
  const filters = set.filters ?? [];
  if (filters.length === 0) throw new FilterError('no Sigma filter document (one with a "filter:" section) in the text');
  for (const f of filters) if (f.rules.length === 0) throw new FilterError(`"${f.title}" names no rule: an accepted filter must list the rules it narrows (filter.rules)`);
  return filters;
}

export interface AcceptedFilter {
  title: string;
  id?: string;
  rules: string[];
  /** The rules it narrows now, by id. */
  applied: string[];
}

export interface AcceptOptions {
  db: Kysely<Database>;
  /** The running rules: narrowed in place. */
  rules: RuleSet;
  file: string;
  load: LoadOptions;
  actor: string;
  now: number;
}

/** Applies the filters of `text` to the running rules, keeps them in the file and audits it; refuses all or nothing. */
export async function acceptFilters(text: string, o: AcceptOptions): Promise<AcceptedFilter[]> {
  let planned: { filter: SigmaFilter; targets: DetectionRule[] }[];
  try {
    const filters = parseFilters(text, o.file, o.load);
    planned = filters.map((filter) => {
      const { targets, problems } = filterTargets(o.rules.rules, filter);
      if (problems.length > 0) throw new FilterError(`"${filter.title}": ${problems.join('; ')}`);
      const known = new Set((o.rules.filters ?? []).map((f) => f.id).filter(Boolean));
      if (filter.id && known.has(filter.id)) throw new FilterError(`"${filter.title}": a filter with id ${filter.id} is already in force`);
      return { filter, targets };
    });
  } catch (err) {
    if (err instanceof FilterError) await audit(o.db, { actor: o.actor, action: 'rule.filter.accept', target: 'rules', result: 'refused', details: { reason: err.message, text } }, o.now);
    throw err;
  }
  // Kept first: a filter in force that the next start would not load would be a silent change of behaviour.
  mkdirSync(dirname(o.file), { recursive: true });
  const existing = existsSync(o.file) ? readFileSync(o.file, 'utf8') : '';
  appendFileSync(o.file, `${existing.trim() === '' ? '' : '---\n'}# accepted by ${o.actor.replace(/[\r\n]/g, ' ')} at ${new Date(o.now).toISOString()}\n${text.trim()}\n`);
  const out: AcceptedFilter[] = [];
  for (const { filter, targets } of planned) {
    applyFilter(filter, targets);
    (o.rules.filters ??= []).push(filter);
    const applied = targets.map((t) => t.ref.id);
    for (const id of applied)
      await audit(o.db, { actor: o.actor, action: 'rule.filter.accept', target: `rule:${id}`, result: 'ok', details: { title: filter.title, id: filter.id, file: o.file, text } }, o.now);
    out.push({ title: filter.title, id: filter.id, rules: filter.rules, applied });
  }
  return out;
}
