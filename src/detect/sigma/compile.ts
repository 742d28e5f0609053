// Compiles a Sigma `detection` section into one closure per input format. The section is read once for all
// formats (modifier chains, values, regexes, the condition); only the field readers and what a missing value
// stands for differ per format. The closures read the parsed JSON through path accessors; nothing is copied or
// normalized per event. Invalid Sigma throws SigmaError or ConditionError, valid but unevaluated Sigma throws
// UnsupportedError: the loader reports both with the file.
import type { EventFormat } from '../../model/index.js';
import type { Accessor } from '../fields.js';
import { resolveSource } from '../sources/index.js';
import type { Logsource, Source } from '../sources/source.js';
import { cidrMatcher } from './cidr.js';
import { ConditionError, foldCondition, parseCondition, type ConditionNode } from './condition.js';
import { literalAlt, parseChain, valueAlternatives, type Alt, type Chain } from './modifiers.js';
import { globMatcher, lower, parseSigmaString } from './pattern.js';
import { compileRegex, type RegexFlag } from './regex.js';
import { anyElement, asNumber, asText, SigmaError, UnsupportedError, type ValuePredicate } from './values.js';

export type Matcher = (data: Record<string, unknown>) => boolean;

export interface CompileOptions {
  /** Values of `%name%` placeholders for `|expand` (config `detect.placeholders`). */
  placeholders?: Record<string, string[]>;
}

interface Ctx {
  format: EventFormat;
  /** Where the rule's fields are, what keywords search (the rule's logsource: sources/). */
  source: Source;
}

/**
 * The formats one detection is compiled for, in the order their refusals take precedence: the refusal reported
 * is the one compiling the formats one after the other would meet first, i.e. the first format's first refusal.
 * The format-independent steps (modifier chains, values, the condition) run once, and a refusal there is the
 * first format's. A step that reads a format's source runs per format (`each`); a refusal there ends that
 * format and every later one (theirs can no longer be the one reported), so the formats still compiled are
 * always the first `live`.
 */
class Formats {
  live: number;
  /** The refusal of the format at `live`, thrown once the earlier formats compiled cleanly. */
  refusal: unknown;
  constructor(
    readonly ctxs: Ctx[],
    readonly placeholders: Record<string, string[]>,
  ) {
    this.live = ctxs.length;
  }

  /** `fn` for each format still compiled, in order (index i is format i). */
  each<T>(fn: (ctx: Ctx, i: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.live; i++) {
      try {
        out.push(fn(this.ctxs[i]!, i));
      } catch (err) {
        if (i === 0) throw err;
        this.live = i;
        this.refusal = err;
      }
    }
    return out;
  }

  /** Per format, `combine` over the i-th matcher of each list (lists built before a format ended are longer). */
  zip(lists: Matcher[][], combine: (ms: Matcher[]) => Matcher): Matcher[] {
    const out: Matcher[] = [];
    for (let i = 0; i < this.live; i++) out.push(combine(lists.map((l) => l[i]!)));
    return out;
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Wraps a value predicate so a missing value counts as the texts it stands for in this format. */
function withStandIns(pred: ValuePredicate, text: (t: string) => boolean, source: Source, field: string | undefined): ValuePredicate {
  if (!field) return pred;
  const absent = source.absentMeans?.(field) ?? [];
  const nullValue = source.nullMeans?.(field) ?? [];
  const absentMatches = absent.some(text);
  const nullMatches = nullValue.some(text);
  if (!absentMatches && !nullMatches) return pred;
  return (x) => (x === undefined ? absentMatches : x === null ? nullMatches || absentMatches : pred(x));
}

const isNull: ValuePredicate = (x) => x === undefined || x === null;

/** Equality with a numeric rule value: the same number, or a decimal string of it ("4625" from Wazuh). */
function numberEquals(n: number): ValuePredicate {
  const text = String(n);
  // The common cases first: the exact text (Wazuh) or the number (evtx_dump); parsing only when it may differ.
  const one = (x: unknown) =>
    typeof x === 'string'
      ? x === text || (+x === n && asNumber(x) === n)
      : typeof x === 'number'
        ? x === n
        : asText(x)?.toLowerCase() === text;
  return (x) => (Array.isArray(x) ? x.some(one) : one(x));
}

/** A value's text predicate and that predicate over a field value (any element of a list). */
interface TextMatch {
  text: (t: string) => boolean;
  value: ValuePredicate;
}

/**
 * A string value's matchers, built once for the three input formats and for every rule that writes the same
 * value under the same modifiers (SigmaHQ repeats image names and command-line fragments across hundreds of
 * rules): they depend on the value and the chain alone and hold no state between calls. A refusal is
 * remembered with it. Values under `|expand` depend on the placeholders and are built each time.
 */
function textMatch(value: string, chain: Chain, key: string, placeholders: Record<string, string[]>, extra: string[]): TextMatch {
  if (chain.has('expand')) return buildTextMatch(value, chain, key, placeholders, extra);
  const id = `${chain.mods.join('|')}${extra.length > 0 ? '|contains' : ''}\u0000${value}`;
  let known = textMatches.get(id);
  if (known === undefined) {
    if (textMatches.size >= TEXT_MATCHES_MAX) textMatches.clear();
    try {
      known = buildTextMatch(value, chain, key, placeholders, extra);
    } catch (err) {
      // The message names the item it was found in: the next rule's own key goes in it.
      known = { error: err as Error, key };
    }
    textMatches.set(id, known);
  }
  if ('error' in known) {
    if (known.key === key) throw known.error;
    return buildTextMatch(value, chain, key, placeholders, extra);
  }
  return known;
}

const TEXT_MATCHES_MAX = 50_000;
const textMatches = new Map<string, TextMatch | { error: Error; key: string }>();

function buildTextMatch(value: string, chain: Chain, key: string, placeholders: Record<string, string[]>, extra: string[]): TextMatch {
  const alts = valueAlternatives(value, chain, key, placeholders, extra);
  const matchers = alts.map((a) => globMatcher(a.parts, chain.has('cased')));
  const text = matchers.length === 1 ? matchers[0]! : (t: string) => matchers.some((m) => m(t));
  return { text, value: anyElement(text) };
}

/**
 * A value's predicate for every format: `text`, when set, is the text predicate a missing value is tried
 * against in each format (withStandIns).
 */
interface ValueMatch {
  pred: ValuePredicate;
  text?: (t: string) => boolean;
}

/** A value's predicate in one format: its own, or with what a missing value stands for there. */
function bindValue(m: ValueMatch, source: Source, field: string | undefined): ValuePredicate {
  return m.text ? withStandIns(m.pred, m.text, source, field) : m.pred;
}

/** One rule value under a string chain (plain, wildcards, contains…, encodings, windash, expand, cased). */
function valuePredicate(v: unknown, chain: Chain, key: string, placeholders: Record<string, string[]>, field: string | undefined): ValueMatch {
  const keyword = field === undefined;
  if (v === null) {
    if (keyword) throw new SigmaError(`null cannot be a keyword (in "${key || 'keywords'}")`);
    if (chain.mods.some((m) => m !== 'all' && m !== 'neq')) throw new SigmaError(`null cannot take modifiers (in "${key}")`);
    return { pred: isNull };
  }
  if (typeof v === 'object') throw new SigmaError(`a nested map or list is not a value (in "${key}")`);
  if (typeof v === 'boolean' && keyword) throw new SigmaError(`a boolean cannot be a keyword (in "${key || 'keywords'}")`);
  // Keywords are searched for in the text: an implicit `contains`, after the value's own transforms.
  const extra = keyword ? ['contains'] : [];
  if (typeof v === 'number' && chain.mods.every((m) => m === 'all' || m === 'neq') && !keyword) return { pred: numberEquals(v) };
  const m = textMatch(typeof v === 'string' ? v : String(v), chain, key, placeholders, extra);
  return { pred: m.value, text: m.text };
}

function regexPredicate(v: unknown, chain: Chain, key: string): ValuePredicate {
  if (typeof v !== 'string') throw new SigmaError(`"re" needs a string (in "${key}")`);
  const flags = chain.mods.filter((m): m is RegexFlag => m === 'i' || m === 'm' || m === 's');
  return anyElement(compileRegex(v, flags));
}

function cidrPredicate(v: unknown, key: string): ValuePredicate {
  if (typeof v !== 'string') throw new SigmaError(`"cidr" needs a network such as 10.0.0.0/8 (in "${key}")`);
  return anyElement(cidrMatcher(v));
}

/**
 * A value list that is all exact literals (no wildcards, no transforms) is one set lookup instead of a loop:
 * SigmaHQ rules often list dozens of names or codes. Null for lists that need the general path.
 */
function exactSetPredicate(values: unknown[], chain: Chain): ValueMatch | null {
  if (values.length < 4 || chain.kind !== 'string' || chain.mods.some((m) => m !== 'cased')) return null;
  if (!values.every((v) => typeof v === 'string' && !/[*?\\]/.test(v))) return null;
  const cased = chain.has('cased');
  const set = new Set((values as string[]).map((v) => (cased ? v : v.toLowerCase())));
  const text = cased ? (t: string) => set.has(t) : (t: string) => set.has(t) || set.has(lower(t));
  return { pred: anyElement(text), text };
}

/** Below this many values a contains list stays one `includes` per value: the scan would cost more. */
const CONTAINS_LIST_MIN = 16;

/**
 * The plain texts (no wildcards once escapes are resolved) of a long `contains` list are one scan of the value
 * instead of one `includes` per text: SigmaHQ lists hundreds (its emoji rules list 745 to 1,000 each), and a
 * value holds none of them most of the time. The texts are indexed by their first code unit; the scan looks at
 * each position of the value once and tries only the texts that begin with the character there. The list's
 * other values (`rest`) take the general path beside it. Null for lists that need the general path whole.
 */
function containsListPredicate(values: unknown[], chain: Chain): { match: ValueMatch; rest: unknown[] } | null {
  if (values.length < CONTAINS_LIST_MIN || chain.kind !== 'string' || !chain.has('contains')) return null;
  if (chain.mods.some((m) => m !== 'contains' && m !== 'cased')) return null;
  const texts: string[] = [];
  const rest: unknown[] = [];
  for (const v of values) {
    const parts = typeof v === 'string' ? parseSigmaString(v) : [];
    if (parts.length === 1 && 'lit' in parts[0]!) texts.push(parts[0].lit);
    else rest.push(v);
  }
  if (texts.length < CONTAINS_LIST_MIN) return null;
  const cased = chain.has('cased');
  // An ASCII character is looked up in a table (most characters of most values); any other in the map itself.
  const asciiStarts = new Uint8Array(128);
  const byFirst = new Map<number, string[]>();
  for (const v of texts) {
    const lit = cased ? v : v.toLowerCase();
    const c = lit.charCodeAt(0);
    if (c < 128) asciiStarts[c] = 1;
    const list = byFirst.get(c);
    if (list) list.push(lit);
    else byFirst.set(c, [lit]);
  }
  const text = (t: string) => {
    const f = cased ? t : lower(t);
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c < 128 ? asciiStarts[c] === 0 : !byFirst.has(c)) continue;
      for (const lit of byFirst.get(c)!) if (f.startsWith(lit, i)) return true;
    }
    return false;
  };
  return { match: { pred: anyElement(text), text }, rest };
}

function numericPredicate(v: unknown, chain: Chain, key: string): ValuePredicate {
  const op = chain.mods.find((m) => m === 'gt' || m === 'gte' || m === 'lt' || m === 'lte')!;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SigmaError(`"${op}" needs a number, not ${JSON.stringify(v)} (in "${key}")`);
  const cmp =
    op === 'gt' ? (x: number) => x > v : op === 'gte' ? (x: number) => x >= v : op === 'lt' ? (x: number) => x < v : (x: number) => x <= v;
  // NaN compares false: a non-numeric value does not match.
  const one = (x: unknown) => cmp(asNumber(x));
  return (x) => (Array.isArray(x) ? x.some(one) : one(x));
}

/** Reads a date value: ISO 8601 text (Wazuh's `+0000` offsets too) or epoch seconds / milliseconds. */
export function dateOf(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? (Math.abs(x) < 1e11 ? x * 1000 : x) : undefined;
  if (typeof x !== 'string' || x === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(x)) return dateOf(Number(x));
  const t = Date.parse(x.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : t;
}

/** ISO 8601 week number (1-53) of a UTC time. */
function isoWeek(t: number): number {
  const src = new Date(t);
  const d = new Date(Date.UTC(src.getUTCFullYear(), src.getUTCMonth(), src.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7)); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

const TIME_PART: Record<string, (t: number) => number> = {
  minute: (t) => new Date(t).getUTCMinutes(),
  hour: (t) => new Date(t).getUTCHours(),
  day: (t) => new Date(t).getUTCDate(),
  week: isoWeek,
  month: (t) => new Date(t).getUTCMonth() + 1,
  year: (t) => new Date(t).getUTCFullYear(),
};

/**
 * `field|hour|gte: 8`: the part of the field's date, in UTC (the specification leaves time zones out), equal to
 * the value or compared with gt/gte/lt/lte. A value that is not a date does not match.
 */
function timePredicate(v: unknown, chain: Chain, key: string): ValuePredicate {
  const part = chain.mods.find((m) => m in TIME_PART)!;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SigmaError(`"${part}" needs a whole number, not ${JSON.stringify(v)} (in "${key}")`);
  const op = chain.mods.find((m) => m === 'gt' || m === 'gte' || m === 'lt' || m === 'lte');
  const cmp =
    op === 'gt' ? (x: number) => x > v : op === 'gte' ? (x: number) => x >= v : op === 'lt' ? (x: number) => x < v : op === 'lte' ? (x: number) => x <= v : (x: number) => x === v;
  const of = TIME_PART[part]!;
  const one = (x: unknown) => {
    const t = dateOf(x);
    return t !== undefined && cmp(of(t));
  };
  return (x) => (Array.isArray(x) ? x.some(one) : one(x));
}

/** `a|fieldref: b`: compares the values of two fields of the same event (equal, or contains/startswith/endswith). */
function checkFieldref(v: unknown, key: string): asserts v is string {
  if (typeof v !== 'string' || v === '' || /[*?]/.test(v)) throw new SigmaError(`"fieldref" needs a field name without wildcards (in "${key}")`);
}

function fieldrefMatcher(get: Accessor, v: string, chain: Chain, ctx: Ctx): Matcher {
  const other = ctx.source.field(v);
  const fold = chain.has('cased') ? (s: string) => s : lower;
  const rel = chain.has('contains')
    ? (a: string, b: string) => a.includes(b)
    : chain.has('startswith')
      ? (a: string, b: string) => a.startsWith(b)
      : chain.has('endswith')
        ? (a: string, b: string) => a.endsWith(b)
        : (a: string, b: string) => a === b;
  return (d) => {
    const b = asText(other(d));
    if (b === undefined) return false;
    const fb = fold(b);
    return anyElement((a) => rel(fold(a), fb))(get(d));
  };
}

/** One detection item `Field|mod…: value(s)`, or keywords when the field name is empty: its matcher per format. */
function compileItem(key: string, value: unknown, fs: Formats): Matcher[] {
  const [name, ...rawMods] = key.split('|');
  const field = name === '' ? undefined : name;
  const chain = parseChain(key, rawMods);
  // `field: []` is null (pySigma); a list otherwise ORs (or with |all ANDs) its values.
  const values = Array.isArray(value) ? (value.length === 0 && field ? [null] : value) : [value];
  if (values.length === 0) throw new SigmaError(`empty keyword list (in "${key}")`);

  let items: Matcher[];
  if (chain.kind === 'exists') {
    if (!field) throw new SigmaError(`"exists" needs a field (in "${key}")`);
    const want = values[0] === 'yes' || values[0] === 'true' ? true : values[0] === 'no' || values[0] === 'false' ? false : values[0];
    if (values.length !== 1 || typeof want !== 'boolean') throw new SigmaError(`"exists" takes true or false (in "${key}")`);
    return fs.each((ctx): Matcher => {
      const get = ctx.source.field(field);
      // Present means present, "be it empty or null" (sigma.md §1.3); Wazuh's dropped "-" values are absent.
      return (d) => (get(d) !== undefined) === want;
    });
  }
  if (chain.kind === 'fieldref') {
    if (!field) throw new SigmaError(`"fieldref" needs a field (in "${key}")`);
    const gets = fs.each((ctx) => ctx.source.field(field));
    const refs: Matcher[][] = gets.map(() => []);
    for (const v of values) {
      checkFieldref(v, key);
      fs.each((ctx, i) => refs[i]!.push(fieldrefMatcher(gets[i]!, v, chain, ctx)));
    }
    items = refs.slice(0, fs.live).map((r) => (chain.has('all') ? (d) => r.every((m) => m(d)) : r.length === 1 ? r[0]! : (d) => r.some((m) => m(d))));
  } else {
    const exact = field && !chain.has('all') ? exactSetPredicate(values, chain) : null;
    const list = field && !exact && !chain.has('all') ? containsListPredicate(values, chain) : null;
    const general = exact ? [] : list ? list.rest : values;
    const indexed = exact ? [exact] : list ? [list.match] : [];
    const matches = indexed.concat(general.map((v): ValueMatch => {
      if (chain.kind === 're') return { pred: regexPredicate(v, chain, key) };
      if (chain.kind === 'cidr') return { pred: cidrPredicate(v, key) };
      if (chain.kind === 'numeric') return { pred: numericPredicate(v, chain, key) };
      if (chain.kind === 'time') return { pred: timePredicate(v, chain, key) };
      return valuePredicate(v, chain, key, fs.placeholders, field);
    }));
    items = fs.each((ctx): Matcher => {
      const preds = matches.map((m) => bindValue(m, ctx.source, field));
      // Keywords search every string of the event (sources/source.ts keywordTexts): one read, a list of texts.
      const reads: Accessor[] = field ? [ctx.source.field(field)] : [keywordReader(ctx.source)];
      const holds = (p: ValuePredicate, d: Record<string, unknown>) => {
        for (const r of reads) if (p(r(d))) return true;
        return false;
      };
      if (chain.has('all') && preds.length > 1) return (d) => preds.every((p) => holds(p, d));
      if (preds.length === 1 && reads.length === 1) {
        const p = preds[0]!;
        const r = reads[0]!;
        return (d) => p(r(d));
      }
      return (d) => preds.some((p) => holds(p, d));
    });
  }
  // `neq` negates the whole item (pySigma): a missing field satisfies it.
  if (chain.has('neq')) return items.map((inner): Matcher => (d) => !inner(d));
  return items;
}

const and = (ms: Matcher[]): Matcher =>
  ms.length === 1
    ? ms[0]!
    : (d) => {
        for (const m of ms) if (!m(d)) return false;
        return true;
      };
const or = (ms: Matcher[]): Matcher =>
  ms.length === 1
    ? ms[0]!
    : (d) => {
        for (const m of ms) if (m(d)) return true;
        return false;
      };

/** A search identifier: a map (AND), a list of maps (OR), or keywords (a scalar or a list of scalars). */
function compileSearch(name: string, body: unknown, fs: Formats): Matcher[] {
  if (isMap(body)) {
    const entries = Object.entries(body);
    if (entries.length === 0) throw new SigmaError(`search identifier "${name}" is an empty map`);
    return fs.zip(entries.map(([k, v]) => compileItem(k, v, fs)), and);
  }
  if (Array.isArray(body)) {
    if (body.length === 0) throw new SigmaError(`search identifier "${name}" is an empty list`);
    const maps = body.filter(isMap);
    const plain = body.filter((b) => !isMap(b));
    if (plain.some(Array.isArray)) throw new SigmaError(`search identifier "${name}" nests a list in a list`);
    const alts = maps.map((m, i) => compileSearch(`${name}[${i}]`, m, fs));
    if (plain.length > 0) alts.push(compileItem('', plain, fs));
    return fs.zip(alts, or);
  }
  if (typeof body === 'string' || typeof body === 'number') return compileItem('', [body], fs);
  throw new SigmaError(`search identifier "${name}" has a value of type ${body === null ? 'null' : typeof body}`);
}

/**
 * A condition as one matcher per format over its searches (dropped selectors as foldCondition says); null:
 * nothing left.
 */
function compileCondition(node: ConditionNode, searches: Map<string, Matcher[]>, fs: Formats): Matcher[] | null {
  const matchers = foldCondition<Matcher[]>(node, [...searches.keys()], {
    id: (name) => {
      const m = searches.get(name);
      if (!m) throw new ConditionError(`condition names "${name}", which is not a search identifier`);
      return m;
    },
    not: (a) => a.map((m): Matcher => (d) => !m(d)),
    and: (args) => fs.zip(args, and),
    or: (args) => fs.zip(args, or),
  });
  return matchers ?? null;
}

function keywordReader(source: Source): Accessor {
  const texts = source.keywords;
  if (!texts) throw new UnsupportedError(`keywords on ${source.name}`);
  return texts;
}

/** One input format a detection is compiled for, with the source (logsource) its fields are read from. */
export interface CompileTarget {
  format: EventFormat;
  source: Source;
}

/**
 * Compiles a whole detection section for several formats at once: one matcher per target, in their order. A
 * list of conditions is their OR. The refusal thrown is the one compiling the targets one after the other would
 * throw first (the first target's first refusal, else the next target's …).
 */
export function compileDetections(detection: Record<string, unknown>, targets: CompileTarget[], options: CompileOptions = {}): Matcher[] {
  const fs = new Formats(targets.map((t) => ({ format: t.format, source: t.source })), options.placeholders ?? {});
  const { condition, ...rest } = detection;
  if ('timeframe' in rest) throw new UnsupportedError('detection.timeframe (Sigma v1 aggregation; write a correlation rule)');
  const searches = new Map<string, Matcher[]>();
  for (const [name, body] of Object.entries(rest)) searches.set(name, compileSearch(name, body, fs));
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string'))
    throw new SigmaError('detection.condition must be a string or a list of strings');
  const compiled = conditions.map((c) => compileCondition(parseCondition(c as string), searches, fs));
  if (compiled.some((c) => c === null)) throw new ConditionError('the condition selects no search identifier');
  if (fs.live < targets.length) throw fs.refusal;
  return fs.zip(compiled as Matcher[][], or);
}

/**
 * Compiles a detection section with its logsource for each of `formats`: the source and the matcher per format,
 * in their order. The refusal thrown is the one a format-by-format compile (the logsource's source, then the
 * detection, per format) meets first.
 */
export function compileForFormats(
  detection: Record<string, unknown>,
  logsource: Logsource,
  formats: EventFormat[],
  options: CompileOptions = {},
): { format: EventFormat; source: Source; body: Matcher }[] {
  const targets: CompileTarget[] = [];
  let refusal: unknown;
  for (const format of formats) {
    try {
      targets.push({ format, source: resolveSource(logsource, format) });
    } catch (err) {
      if (targets.length === 0) throw err;
      refusal = err;
      break;
    }
  }
  const bodies = compileDetections(detection, targets, options);
  if (targets.length < formats.length) throw refusal;
  return targets.map((t, i) => ({ format: t.format, source: t.source, body: bodies[i]! }));
}

/**
 * Compiles a whole detection section for one format. `source` says where the fields are (default: the Windows
 * mapping, for detections without a logsource of their own).
 */
export function compileDetection(detection: Record<string, unknown>, format: EventFormat, options: CompileOptions = {}, source?: Source): Matcher {
  return compileDetections(detection, [{ format, source: source ?? resolveSource({ product: 'windows' }, format) }], options)[0]!;
}

export { asText };
