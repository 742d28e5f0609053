// Sigma string values: parsing (wildcards and escapes) and matching. Matching is a non-backtracking glob
// scan, linear in the event value for every shape except a middle segment with `?` (then length × segment),
// so a hostile field value cannot make a wildcard rule slow.

/** A literal run, a wildcard, or one character out of a set (what `windash` makes of `-` and `/`). */
export type Part = { lit: string } | { wild: '*' | '?' } | { cls: string };

/** Splits a Sigma string into literal runs and wildcards, resolving escapes (sigma.md §1.4). */
export function parseSigmaString(s: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      const nx = s[i + 1];
      // `\*`, `\?` and `\\` are escapes; a backslash before anything else (or at the end) is itself.
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

let foldIn = '';
let foldOut = '';
/**
 * Lower-cases a value, remembering the last one: the rules of a rule set test the same field of one event one
 * after another, and this spares a new string for each of them.
 */
export function lower(t: string): string {
  if (t !== foldIn) {
    foldOut = t.toLowerCase();
    foldIn = t;
  }
  return foldOut;
}

export const hasWildcards = (parts: Part[]) => parts.some((p) => !('lit' in p));

/** The text of a pattern without wildcards or classes (callers check `hasWildcards` first). */
export const literalText = (parts: Part[]) => parts.map((p) => ('lit' in p ? p.lit : '')).join('');

/** One unit of a segment between `*`s: a literal, any one character, or one character from a set. */
type Unit = string | { any: true } | { set: string };

interface Segment {
  units: Unit[];
  length: number;
  /** The segment when it is a single literal: the fast paths use indexOf/startsWith/endsWith. */
  lit?: string;
}

function segmentOf(units: Unit[]): Segment {
  let length = 0;
  for (const u of units) length += typeof u === 'string' ? u.length : 1;
  const lit = units.length === 0 ? '' : units.length === 1 && typeof units[0] === 'string' ? units[0] : undefined;
  return { units, length, lit };
}

function matchAt(seg: Segment, t: string, at: number): boolean {
  let i = at;
  for (const u of seg.units) {
    if (typeof u === 'string') {
      if (!t.startsWith(u, i)) return false;
      i += u.length;
    } else {
      if (i >= t.length) return false;
      if ('set' in u && !u.set.includes(t[i]!)) return false;
      i++;
    }
  }
  return true;
}

/** Leftmost position ≥ from where the segment matches, or -1. */
function find(seg: Segment, t: string, from: number): number {
  if (seg.lit !== undefined) return t.indexOf(seg.lit, from);
  for (let p = from; p + seg.length <= t.length; p++) if (matchAt(seg, t, p)) return p;
  return -1;
}

/**
 * A predicate over text for a parsed pattern. Case-insensitive unless `cased` (the pattern and the text are
 * lower-cased). `*` matches any run, `?` exactly one UTF-16 code unit; the whole value must match.
 */
export function globMatcher(parts: Part[], cased: boolean): (text: string) => boolean {
  const fold = cased ? (s: string) => s : lower;
  const segments: Segment[] = [];
  let units: Unit[] = [];
  for (const p of parts) {
    if ('lit' in p) {
      const last = units[units.length - 1];
      if (typeof last === 'string') units[units.length - 1] = last + fold(p.lit);
      else units.push(fold(p.lit));
    } else if ('cls' in p) units.push({ set: fold(p.cls) });
    else if (p.wild === '?') units.push({ any: true });
    else {
      segments.push(segmentOf(units));
      units = [];
    }
  }
  segments.push(segmentOf(units));

  if (segments.length === 1) {
    const only = segments[0]!;
    if (only.lit !== undefined) {
      const want = only.lit;
      return cased ? (t) => t === want : (t) => lower(t) === want;
    }
    return (t) => {
      const f = fold(t);
      return f.length === only.length && matchAt(only, f, 0);
    };
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((s) => s.length > 0);
  // Fast shapes: x*, *x, *x*, and `*` alone.
  if (middle.length === 0 && first.lit !== undefined && last.lit !== undefined) {
    const a = first.lit;
    const b = last.lit;
    if (a === '' && b === '') return () => true;
    if (b === '') return (t) => fold(t).startsWith(a);
    if (a === '') return (t) => fold(t).endsWith(b);
    return (t) => {
      const f = fold(t);
      return f.length >= a.length + b.length && f.startsWith(a) && f.endsWith(b);
    };
  }
  if (first.lit === '' && last.lit === '' && middle.length === 1 && middle[0]!.lit !== undefined) {
    const x = middle[0]!.lit;
    return (t) => fold(t).includes(x);
  }
  return (t) => {
    const f = fold(t);
    if (f.length < first.length + last.length) return false;
    if (!matchAt(first, f, 0)) return false;
    const end = f.length - last.length;
    if (!matchAt(last, f, end)) return false;
    // Greedy leftmost placement of the middle segments is exact for `*` globs and never backtracks.
    let at = first.length;
    for (const seg of middle) {
      const p = find(seg, f, at);
      if (p < 0 || p + seg.length > end) return false;
      at = p + seg.length;
    }
    return true;
  };
}
