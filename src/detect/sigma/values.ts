// Value matching: one rule value with its modifiers → a predicate over one field value.
// Sigma strings are case-insensitive unless `cased`; `*` and `?` are wildcards, `\` escapes them.

export type ValuePredicate = (value: unknown) => boolean;

export class UnsupportedError extends Error {}

/** Longest text a regular expression is run over: bounds the cost of a hostile input. */
export const REGEX_INPUT_CAP = 16_384;

type Part = { lit: string } | { wild: '*' | '?' };

/** Splits a Sigma string into literal runs and wildcards, resolving escapes. */
export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      const nx = s[i + 1];
      if (nx === '*' || nx === '?' || nx === '\\') {
        lit += nx;
        i++;
      } else lit += '\\';
    } else if (ch === '*' || ch === '?') {
      if (lit) parts.push({ lit });
      lit = '';
      parts.push({ wild: ch });
    } else lit += ch;
  }
  if (lit) parts.push({ lit });
  return parts;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Builds the predicate for a string pattern (after contains/startswith/endswith added their wildcards). */
export function stringMatcher(parts: Part[], cased: boolean): (text: string) => boolean {
  const wildcards = parts.filter((p) => 'wild' in p);
  const fold = (t: string) => (cased ? t : t.toLowerCase());
  if (wildcards.length === 0) {
    const want = fold(parts.map((p) => (p as { lit: string }).lit).join(''));
    return (t) => fold(t) === want;
  }
  // Fast shapes: *x*, x*, *x with only `*` wildcards.
  if (wildcards.every((w) => (w as { wild: string }).wild === '*') && parts.length <= 3) {
    const lits = parts.filter((p) => 'lit' in p).map((p) => fold((p as { lit: string }).lit));
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    if (lits.length === 1) {
      const x = lits[0]!;
      if ('wild' in first && 'wild' in last) return (t) => fold(t).includes(x);
      if ('wild' in last) return (t) => fold(t).startsWith(x);
      if ('wild' in first) return (t) => fold(t).endsWith(x);
    }
    if (lits.length === 0) return () => true;
  }
  const source = parts.map((p) => ('lit' in p ? escapeRe(p.lit) : p.wild === '*' ? '.*' : '.')).join('');
  const re = new RegExp(`^${source}$`, cased ? 's' : 'is');
  return (t) => re.test(t);
}

/** Field values as text: numbers and booleans are compared by their text, as Wazuh stores them. */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Applies a predicate to a field value; a list matches when any element does. */
export function anyElement(pred: (text: string) => boolean): ValuePredicate {
  return (v) => {
    if (Array.isArray(v)) {
      for (const e of v) {
        const t = asText(e);
        if (t !== undefined && pred(t)) return true;
      }
      return false;
    }
    const t = asText(v);
    return t !== undefined && pred(t);
  };
}

/** Translates a Sigma (PCRE-subset) regular expression to JS, with its flags. */
export function compileRegex(pattern: string, flags: string): RegExp {
  let f = flags;
  let p = pattern;
  // SigmaHQ writes inline flags at the start, e.g. `(?i)`, which JS does not accept there.
  const inline = /^\(\?([ims]+)\)/.exec(p);
  if (inline) {
    for (const c of inline[1]!) if (!f.includes(c)) f += c;
    p = p.slice(inline[0].length);
  }
  if (/\(\?[imsx-]+[:)]/.test(p)) throw new UnsupportedError(`inline regex flags inside the pattern are not supported: ${pattern}`);
  if (/\(\?<?[=!]/.test(p) === false && /\\[AZz]/.test(p)) throw new UnsupportedError(`regex anchors \\A \\Z \\z are not supported: ${pattern}`);
  try {
    return new RegExp(p, f);
  } catch (err) {
    throw new UnsupportedError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}
