// Sigma filters (meta filters, sigma.md §1.9): a document with a `filter:` section that narrows the rules it
// names without editing them. As in pySigma, the filter's condition is AND-ed to the rule's condition, so an
// exclusion is written `condition: not selection`. The filter's identifiers (and its `them`) are its own.
import type { EventFormat } from '../../model/index.js';
import type { Logsource } from '../logsource.js';
import { compileForFormats, type CompileOptions, type Matcher } from './compile.js';
import { SigmaError } from './values.js';

export interface SigmaFilter {
  title: string;
  id?: string;
  source: string;
  logsource: Logsource;
  /** Rule ids or names; empty means every rule whose logsource the filter's contains. */
  rules: string[];
  match: Record<EventFormat, Matcher>;
  /** What it is, as written (title, id, logsource, filter section): two filters with the same key filter alike. */
  key: string;
}

const FORMATS: EventFormat[] = ['wazuh', 'evtx-json', 'wcs'];
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Builds a filter from a parsed document that has a `filter:` key. */
export function buildFilter(raw: Record<string, unknown>, file: string, options: CompileOptions): SigmaFilter {
  if (typeof raw.title !== 'string' || raw.title === '') throw new SigmaError('missing "title"');
  if (!isMap(raw.logsource)) throw new SigmaError('a filter needs a "logsource" map');
  if (!isMap(raw.filter)) throw new SigmaError('"filter" must be a map');
  const { rules, ...detection } = raw.filter;
  let names: string[];
  if (rules === undefined || rules === 'any' || (Array.isArray(rules) && rules.length === 0)) names = [];
  else if (typeof rules === 'string') names = [rules];
  else if (Array.isArray(rules) && rules.every((r) => typeof r === 'string')) names = rules as string[];
  else throw new SigmaError('filter.rules must be a list of rule ids or names, or "any"');
  if (detection.condition === undefined) throw new SigmaError('missing "filter.condition"');
  const match = {} as Record<EventFormat, Matcher>;
  for (const { format, body } of compileForFormats(detection, raw.logsource as Logsource, FORMATS, options)) match[format] = body;
  return {
    title: raw.title,
    id: typeof raw.id === 'string' ? raw.id : undefined,
    source: file,
    logsource: raw.logsource as Logsource,
    rules: names,
    match,
    key: JSON.stringify({ title: raw.title, id: raw.id, logsource: raw.logsource, filter: raw.filter }),
  };
}

/** A filter's logsource contains a rule's when every key it sets is the same in the rule's (sigma.md §1.2). */
export function logsourceContains(filter: Logsource, rule: Logsource): boolean {
  for (const key of ['product', 'service', 'category'] as const) {
    const f = filter[key];
    if (f === undefined) continue;
    if (String(rule[key] ?? '').toLowerCase() !== String(f).toLowerCase()) return false;
  }
  return true;
}
