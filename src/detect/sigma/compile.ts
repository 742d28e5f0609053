// Compiles a Sigma `detection` section into one closure per input format. Unsupported constructs throw
// UnsupportedError naming the construct; the loader turns that into a rejected rule, never a silent miss.
import type { EventFormat } from '../../model/index.js';
import { accessor, fieldPath, keywordPaths, WINDOWS_EMPTY_VALUES, type Accessor } from '../fields.js';
import { expandPattern, parseCondition, type ConditionNode } from './condition.js';
import {
  anyElement,
  asText,
  compileRegex,
  parseSigmaString,
  REGEX_INPUT_CAP,
  stringMatcher,
  UnsupportedError,
  type ValuePredicate,
} from './values.js';

export type Matcher = (data: Record<string, unknown>) => boolean;

const SUPPORTED = new Set(['contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'exists', 'cased']);

/** Compiles one field condition `Field|mod…: value(s)`. */
function compileField(key: string, value: unknown, format: EventFormat): Matcher {
  const [field, ...mods] = key.split('|');
  for (const m of mods) if (!SUPPORTED.has(m)) throw new UnsupportedError(`value modifier "${m}" (in "${key}")`);
  const get: Accessor | null = field ? accessor(fieldPath(format, field)) : null;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new UnsupportedError(`empty value list for "${key}"`);

  if (mods.includes('exists')) {
    if (!get) throw new UnsupportedError(`"exists" needs a field (in "${key}")`);
    const want = values[0];
    if (typeof want !== 'boolean') throw new UnsupportedError(`"exists" takes true or false (in "${key}")`);
    return (d) => (get(d) !== undefined && get(d) !== null) === want;
  }

  const cased = mods.includes('cased');
  const preds: ValuePredicate[] = values.map((v) => valuePredicate(v, mods, cased, key, format));
  const all = mods.includes('all');
  const reads: Accessor[] = get ? [get] : keywordPaths(format).map(accessor);
  const test = (pred: ValuePredicate, d: Record<string, unknown>) => {
    for (const r of reads) if (pred(r(d))) return true;
    return false;
  };
  if (all) return (d) => preds.every((p) => test(p, d));
  if (preds.length === 1) {
    const p = preds[0]!;
    if (reads.length === 1) {
      const r = reads[0]!;
      return (d) => p(r(d));
    }
    return (d) => test(p, d);
  }
  return (d) => preds.some((p) => test(p, d));
}

function valuePredicate(v: unknown, mods: string[], cased: boolean, key: string, format: EventFormat): ValuePredicate {
  if (v === null) return (x) => x === undefined || x === null;
  if (mods.includes('re')) {
    if (typeof v !== 'string') throw new UnsupportedError(`"re" needs a string (in "${key}")`);
    const flags = mods.filter((m) => m === 'i' || m === 'm' || m === 's').join('');
    const re = compileRegex(v, flags);
    return anyElement((t) => re.test(t.length > REGEX_INPUT_CAP ? t.slice(0, REGEX_INPUT_CAP) : t));
  }
  if (typeof v === 'object') throw new UnsupportedError(`a nested map or list as a value (in "${key}")`);
  const text = String(v);
  let parts = typeof v === 'string' ? parseSigmaString(text) : [{ lit: text }];
  if (mods.includes('contains')) parts = [{ wild: '*' }, ...parts, { wild: '*' }];
  else if (mods.includes('startswith')) parts = [...parts, { wild: '*' }];
  else if (mods.includes('endswith')) parts = [{ wild: '*' }, ...parts];
  const pred = anyElement(stringMatcher(parts, cased));
  // Wazuh drops Windows "-" and "(NULL)" values: an absent field stands for them (sigma.md §5, option a).
  if (format === 'wazuh' && WINDOWS_EMPTY_VALUES.some((e) => stringMatcher(parts, cased)(e))) {
    return (x) => x === undefined || pred(x);
  }
  return pred;
}

/** A search identifier: a map (AND), a list of maps (OR), or keywords. */
function compileSearch(name: string, body: unknown, format: EventFormat): Matcher {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new UnsupportedError(`search identifier "${name}" is an empty list`);
    if (body.every((b) => b !== null && typeof b === 'object' && !Array.isArray(b))) {
      const alts = body.map((b, i) => compileSearch(`${name}[${i}]`, b, format));
      return (d) => alts.some((a) => a(d));
    }
    if (body.every((b) => b === null || typeof b !== 'object')) return compileField('', body, format);
    throw new UnsupportedError(`search identifier "${name}" mixes maps and plain values`);
  }
  if (body !== null && typeof body === 'object') {
    const items = Object.entries(body as Record<string, unknown>).map(([k, v]) => compileField(k, v, format));
    if (items.length === 0) throw new UnsupportedError(`search identifier "${name}" is an empty map`);
    if (items.length === 1) return items[0]!;
    return (d) => {
      for (const i of items) if (!i(d)) return false;
      return true;
    };
  }
  if (typeof body === 'string' || typeof body === 'number') return compileField('', [body], format);
  throw new UnsupportedError(`search identifier "${name}" has a value of type ${body === null ? 'null' : typeof body}`);
}

function compileCondition(node: ConditionNode, searches: Map<string, Matcher>): Matcher {
  switch (node.kind) {
    case 'id': {
      const m = searches.get(node.name);
      if (!m) throw new UnsupportedError(`condition names "${node.name}", which is not a search identifier`);
      return m;
    }
    case 'not': {
      const a = compileCondition(node.arg, searches);
      return (d) => !a(d);
    }
    case 'and': {
      const args = node.args.map((a) => compileCondition(a, searches));
      return (d) => args.every((a) => a(d));
    }
    case 'or': {
      const args = node.args.map((a) => compileCondition(a, searches));
      return (d) => args.some((a) => a(d));
    }
    case 'of': {
      const names = expandPattern(node.pattern, [...searches.keys()]);
      if (names.length === 0) throw new UnsupportedError(`"${node.pattern}" matches no search identifier`);
      const args = names.map((n) => searches.get(n)!);
      return node.quantifier === 'all' ? (d) => args.every((a) => a(d)) : (d) => args.some((a) => a(d));
    }
  }
}

/** Compiles a whole detection section for one format. */
export function compileDetection(detection: Record<string, unknown>, format: EventFormat): Matcher {
  const { condition, timeframe: _timeframe, ...rest } = detection;
  const searches = new Map<string, Matcher>();
  for (const [name, body] of Object.entries(rest)) searches.set(name, compileSearch(name, body, format));
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string'))
    throw new UnsupportedError('detection.condition must be a string or a list of strings');
  const compiled = conditions.map((c) => compileCondition(parseCondition(c as string), searches));
  return compiled.length === 1 ? compiled[0]! : (d) => compiled.some((c) => c(d));
}

export { asText };
