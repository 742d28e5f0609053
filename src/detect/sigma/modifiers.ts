// Value modifiers (sigma.md §1.6): which chains are valid, and the string transforms they apply, left to
// right, to a parsed value. A value becomes a list of alternatives (windash, base64offset and expand make
// several), which are OR-ed even under `|all`.
import { Memo } from '../memo.js';
import { DEFAULT_PLACEHOLDERS } from '../placeholders.js';
import { hasWildcards, literalText, parseSigmaString, type Part } from './pattern.js';
import { SigmaError, UnsupportedError } from './values.js';

const ALIASES: Record<string, string> = { ignorecase: 'i', multiline: 'm', dotall: 's', wide: 'utf16le' };

/** String transforms, applied in the order written. */
const TRANSFORMS = new Set(['contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16']);
/** Modifiers that change how values are combined or compared, not the value itself. */
const LINKING = new Set(['all', 'neq', 'cased', 'expand']);
const NUMERIC = new Set(['gt', 'gte', 'lt', 'lte']);
const REGEX_FLAGS = new Set(['i', 'm', 's']);
const SPECIAL = new Set(['re', 'cidr', 'exists', 'fieldref']);
/** Sigma v2.1 time modifiers: a part of a date value, compared with a number (optionally with gt/gte/lt/lte). */
export const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);

export type ChainKind = 'string' | 're' | 'cidr' | 'exists' | 'fieldref' | 'numeric' | 'time';

export interface Chain {
  kind: ChainKind;
  /** Canonical modifier names in order (aliases resolved). */
  mods: string[];
  has(m: string): boolean;
}

/**
 * Parses and checks `field|mod|mod…`; throws SigmaError (invalid) or UnsupportedError naming the modifier. A
 * chain holds no state: one is parsed once per key (SigmaHQ writes a few hundred keys over 8,000 items), a
 * refusal remembered with it.
 */
export function parseChain(key: string, raw: string[]): Chain {
  return chains.get(`${key}\u0000${raw.join('|')}`, () => buildChain(key, raw));
}

const chains = new Memo<Chain>(10_000);

function buildChain(key: string, raw: string[]): Chain {
  const mods = raw.map((m) => ALIASES[m] ?? m);
  const seen = new Set<string>();
  for (const m of mods) {
    if (!TIME_PARTS.has(m) && !TRANSFORMS.has(m) && !LINKING.has(m) && !NUMERIC.has(m) && !REGEX_FLAGS.has(m) && !SPECIAL.has(m))
      throw new SigmaError(`unknown value modifier "${m}" (in "${key}")`);
    if (seen.has(m)) throw new SigmaError(`value modifier "${m}" repeated (in "${key}")`);
    seen.add(m);
  }
  const has = (m: string) => seen.has(m);
  const only = (kind: ChainKind, allowed: string[]): Chain => {
    const extra = mods.filter((m) => m !== kind && !allowed.includes(m));
    if (extra.length > 0) throw new SigmaError(`"${extra[0]}" cannot be combined with "${kind}" (in "${key}")`);
    return { kind, mods, has };
  };
  const first = (m: string) => {
    if (mods[0] !== m) throw new SigmaError(`"${m}" must be the first modifier (in "${key}")`);
  };
  for (const f of REGEX_FLAGS) if (has(f) && !has('re')) throw new SigmaError(`"${raw[mods.indexOf(f)]}" is only valid after "re" (in "${key}")`);
  if (has('exists')) {
    first('exists');
    return only('exists', []);
  }
  if (has('re')) {
    first('re');
    // Regexes match a substring, so contains/startswith/endswith add nothing; cased is the default.
    return only('re', ['i', 'm', 's', 'all', 'neq', 'contains', 'startswith', 'endswith', 'cased']);
  }
  if (has('cidr')) {
    first('cidr');
    return only('cidr', ['all', 'neq']);
  }
  if (has('fieldref')) return only('fieldref', ['contains', 'startswith', 'endswith', 'cased', 'all', 'neq']);
  const parts = mods.filter((m) => TIME_PARTS.has(m));
  if (parts.length > 0) {
    first(parts[0]!);
    if (parts.length > 1) throw new SigmaError(`"${parts[0]}" and "${parts[1]}" in one item (in "${key}"); use two items`);
    const cmp = mods.filter((m) => NUMERIC.has(m));
    if (cmp.length > 1) throw new SigmaError(`"${cmp[0]}" and "${cmp[1]}" in one item (in "${key}"); use two items`);
    const extra = mods.filter((m) => !TIME_PARTS.has(m) && !NUMERIC.has(m) && m !== 'all' && m !== 'neq');
    if (extra.length > 0) throw new SigmaError(`"${extra[0]}" cannot be combined with "${parts[0]}" (in "${key}")`);
    return { kind: 'time', mods, has };
  }
  const numeric = mods.filter((m) => NUMERIC.has(m));
  if (numeric.length > 1) throw new SigmaError(`"${numeric[0]}" and "${numeric[1]}" in one item (in "${key}"); use two items`);
  if (numeric.length === 1) {
    const extra = mods.filter((m) => !NUMERIC.has(m) && m !== 'all' && m !== 'neq');
    if (extra.length > 0) throw new SigmaError(`"${extra[0]}" cannot be combined with "${numeric[0]}" (in "${key}")`);
    return { kind: 'numeric', mods, has };
  }
  return { kind: 'string', mods, has };
}

/** One alternative of a value: its pattern, and whether its literals are bytes (after a UTF-16 encoding). */
export interface Alt {
  parts: Part[];
  bytes: boolean;
}

const isStar = (p: Part | undefined) => p !== undefined && 'wild' in p && p.wild === '*';
const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'].join('');
const WORD_DASH = /\B[-/]\b/g;

function windash(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    if (!('lit' in p)) {
      out.push(p);
      continue;
    }
    let from = 0;
    for (const m of p.lit.matchAll(WORD_DASH)) {
      if (m.index! > from) out.push({ lit: p.lit.slice(from, m.index) });
      out.push({ cls: WINDASH });
      from = m.index! + 1;
    }
    if (from < p.lit.length) out.push({ lit: p.lit.slice(from) });
  }
  return out;
}

function utf16(parts: Part[], order: 'le' | 'be', key: string): Part[] {
  return parts.map((p) => {
    if ('cls' in p) throw new UnsupportedError(`"windash" before an encoding modifier (in "${key}")`);
    if (!('lit' in p)) return p;
    let s = '';
    for (let i = 0; i < p.lit.length; i++) {
      const c = p.lit.charCodeAt(i);
      s += order === 'le' ? String.fromCharCode(c & 0xff, c >> 8) : String.fromCharCode(c >> 8, c & 0xff);
    }
    return { lit: s };
  });
}

const bytesOf = (a: Alt) => Buffer.from(literalText(a.parts), a.bytes ? 'latin1' : 'utf8');

/** base64 of `value` shifted by 0, 1 and 2 bytes, with the characters that depend on neighbours cut off. */
export function base64Offsets(value: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [0, -3, -2];
  return [0, 1, 2].map((i) => {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), value]).toString('base64');
    const e = end[(value.length + i) % 3]!;
    return enc.slice(start[i]!, e === 0 ? undefined : e);
  });
}

function noWildcards(a: Alt, m: string, key: string): void {
  if (hasWildcards(a.parts)) throw new SigmaError(`"${m}" cannot encode a value with wildcards (in "${key}")`);
}

/** Applies one transform to every alternative. */
function transform(alts: Alt[], m: string, key: string): Alt[] {
  switch (m) {
    case 'contains':
      return alts.map((a) => ({ ...a, parts: [...(isStar(a.parts[0]) ? [] : [{ wild: '*' } as Part]), ...a.parts, ...(isStar(a.parts.at(-1)) ? [] : [{ wild: '*' } as Part])] }));
    case 'startswith':
      return alts.map((a) => ({ ...a, parts: isStar(a.parts.at(-1)) ? a.parts : [...a.parts, { wild: '*' }] }));
    case 'endswith':
      return alts.map((a) => ({ ...a, parts: isStar(a.parts[0]) ? a.parts : [{ wild: '*' }, ...a.parts] }));
    case 'windash':
      return alts.map((a) => ({ ...a, parts: windash(a.parts) }));
    case 'utf16le':
      return alts.map((a) => ({ parts: utf16(a.parts, 'le', key), bytes: true }));
    case 'utf16be':
      return alts.map((a) => ({ parts: utf16(a.parts, 'be', key), bytes: true }));
    case 'utf16':
      return alts.map((a) => ({ parts: [{ lit: '\xff\xfe' }, ...utf16(a.parts, 'le', key)], bytes: true }));
    case 'base64':
      return alts.map((a) => {
        noWildcards(a, m, key);
        return { parts: [{ lit: bytesOf(a).toString('base64') }], bytes: false };
      });
    case 'base64offset':
      return alts.flatMap((a) => {
        noWildcards(a, m, key);
        return base64Offsets(bytesOf(a)).map((s) => ({ parts: [{ lit: s }], bytes: false }));
      });
    default:
      return alts; // linking modifiers
  }
}

/** Most alternatives one value may expand to (placeholders × windash × offsets). */
const MAX_ALTERNATIVES = 4096;
const PLACEHOLDER = /(?<!\\)%([A-Za-z0-9_.-]+)%/g;

/** `|expand`: every combination of the configured values of the value's `%name%` placeholders. */
export function expandPlaceholders(value: string, placeholders: Record<string, string[]>, key: string): string[] {
  let out = [value];
  for (const m of new Set([...value.matchAll(PLACEHOLDER)].map((x) => x[1]!))) {
    const values = Object.hasOwn(placeholders, m) ? placeholders[m]! : Object.hasOwn(DEFAULT_PLACEHOLDERS, m) ? DEFAULT_PLACEHOLDERS[m]! : undefined;
    if (!values || values.length === 0) throw new UnsupportedError(`placeholder %${m}% has no values in detect.placeholders (in "${key}")`);
    out = out.flatMap((v) => values.map((x) => v.split(`%${m}%`).join(x)));
    if (out.length > MAX_ALTERNATIVES) throw new UnsupportedError(`placeholders in "${key}" expand to more than ${MAX_ALTERNATIVES} values`);
  }
  return out.map((v) => v.replace(/\\%/g, '%'));
}

/** The alternatives of one string (or stringified number) value after the chain's transforms. */
export function valueAlternatives(value: string, chain: Chain, key: string, placeholders: Record<string, string[]>, extra: string[] = []): Alt[] {
  const raws = chain.has('expand') ? expandPlaceholders(value, placeholders, key) : [value];
  let alts: Alt[] = raws.map((r) => ({ parts: parseSigmaString(r), bytes: false }));
  for (const m of [...chain.mods, ...extra]) alts = transform(alts, m, key);
  if (alts.length > MAX_ALTERNATIVES) throw new UnsupportedError(`"${key}" expands to more than ${MAX_ALTERNATIVES} alternatives`);
  return alts;
}

/** A plain literal (used when a number is matched as text). */
export const literalAlt = (text: string): Alt => ({ parts: [{ lit: text }], bytes: false });
