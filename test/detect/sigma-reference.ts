// A plain reference interpreter of Sigma detections, written from the specification (shared/reference/sigma.md
// §1.3–1.7) independently of src/detect/sigma: no compilation, no fast paths, wildcards by recursion, windash by
// enumerating every variant, regexes by JavaScript's own RegExp. Slow and small on purpose, so that it is
// obviously right; the property test checks that the compiled evaluator agrees with it.

export type Cond =
  | { op: 'id'; name: string }
  | { op: 'not'; arg: Cond }
  | { op: 'and' | 'or'; args: Cond[] }
  | { op: 'of'; all: boolean; pattern: string };

type Tok = { ch: string } | { star: true } | { one: true };

/** Sigma escapes: \* \? \\ escape; any other backslash is itself. */
function tokens(s: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '*' || s[i + 1] === '?' || s[i + 1] === '\\')) out.push({ ch: s[++i]! });
    else if (c === '*') out.push({ star: true });
    else if (c === '?') out.push({ one: true });
    else out.push({ ch: c });
  }
  return out;
}

/** Does `t` (from index j) match tokens `p` (from index i)? Each token is a set of allowed characters. */
function globFrom(p: (Tok | { any: string })[], i: number, t: string, j: number): boolean {
  if (i === p.length) return j === t.length;
  const k = p[i]!;
  if ('star' in k) {
    for (let n = j; n <= t.length; n++) if (globFrom(p, i + 1, t, n)) return true;
    return false;
  }
  if (j >= t.length) return false;
  if ('one' in k) return globFrom(p, i + 1, t, j + 1);
  if ('any' in k) return k.any.includes(t[j]!) && globFrom(p, i + 1, t, j + 1);
  return k.ch === t[j] && globFrom(p, i + 1, t, j + 1);
}

const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** Every windash variant: a - or / with no word character before it (in its literal run) and one after. */
function windashVariants(p: Tok[]): Tok[][] {
  const spots: number[] = [];
  p.forEach((k, i) => {
    if (!('ch' in k) || (k.ch !== '-' && k.ch !== '/')) return;
    const prev = i > 0 && 'ch' in p[i - 1]! ? (p[i - 1] as { ch: string }).ch : undefined;
    const next = i + 1 < p.length && 'ch' in p[i + 1]! ? (p[i + 1] as { ch: string }).ch : undefined;
    if (!isWord(prev) && isWord(next)) spots.push(i);
  });
  let variants: Tok[][] = [p];
  for (const s of spots) variants = variants.flatMap((v) => DASHES.map((d) => v.map((k, i) => (i === s ? { ch: d } : k))));
  return variants;
}

export interface Item {
  field: string;
  mods: string[];
  values: unknown[];
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function stringValueMatches(rule: string, mods: string[], v: unknown): boolean {
  if (v === null) return stringValueMatches(rule, mods, '');
  if (Array.isArray(v)) return v.some((e) => e !== null && stringValueMatches(rule, mods, e));
  let t = text(v);
  if (t === undefined) return false;
  let p = tokens(rule);
  const star = (k: Tok | undefined) => k !== undefined && 'star' in k;
  for (const m of mods) {
    if (m === 'contains') p = [...(star(p[0]) ? [] : [{ star: true } as Tok]), ...p, ...(star(p.at(-1)) ? [] : [{ star: true } as Tok])];
    if (m === 'startswith' && !star(p.at(-1))) p = [...p, { star: true }];
    if (m === 'endswith' && !star(p[0])) p = [{ star: true }, ...p];
  }
  const variants = mods.includes('windash') ? windashVariants(p) : [p];
  if (!mods.includes('cased')) {
    t = t.toLowerCase();
    return variants.some((vp) => globFrom(vp.map((k) => ('ch' in k ? { ch: k.ch.toLowerCase() } : k)), 0, t!, 0));
  }
  return variants.some((vp) => globFrom(vp, 0, t!, 0));
}

function numberLike(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/** One rule value against one field value (which may be absent, null or a list). */
function valueMatches(item: Item, rule: unknown, v: unknown): boolean {
  const mods = item.mods;
  if (rule === null) return v === undefined || v === null;
  if (v === undefined) return false;
  const each = (f: (x: unknown) => boolean) => (Array.isArray(v) ? v.some(f) : f(v));
  if (mods.includes('re')) {
    const re = new RegExp(rule as string, mods.filter((m) => m === 'i' || m === 'm' || m === 's').join(''));
    return each((x) => text(x) !== undefined && re.test(text(x)!));
  }
  for (const [m, cmp] of [
    ['gt', (a: number, b: number) => a > b],
    ['gte', (a: number, b: number) => a >= b],
    ['lt', (a: number, b: number) => a < b],
    ['lte', (a: number, b: number) => a <= b],
  ] as const) {
    if (mods.includes(m)) return each((x) => cmp(numberLike(x), rule as number));
  }
  const stringMods = mods.filter((m) => m !== 'all' && m !== 'neq');
  if (typeof rule === 'number' && stringMods.length === 0)
    return each((x) => numberLike(x) === rule || (text(x) !== undefined && text(x)!.toLowerCase() === String(rule)));
  return stringValueMatches(String(rule), stringMods, v);
}

export function itemMatches(item: Item, fields: Record<string, unknown>): boolean {
  const v = fields[item.field];
  if (item.mods.includes('exists')) return (v !== undefined) === item.values[0];
  const values = item.values.length === 0 ? [null] : item.values;
  const results = values.map((r) => valueMatches(item, r, v));
  const hit = item.mods.includes('all') ? results.every(Boolean) : results.some(Boolean);
  return item.mods.includes('neq') ? !hit : hit;
}

/** A search identifier: a list of maps (OR), each map a list of items (AND). */
export type Search = Item[][];

function selected(pattern: string, names: string[]): string[] {
  if (pattern === 'them') return names.filter((n) => !n.startsWith('_'));
  const re = new RegExp('^' + pattern.split('*').join('.*') + '$');
  return names.filter((n) => re.test(n) && (pattern.startsWith('_') || !n.startsWith('_')));
}

/** The condition's value; undefined when it selects nothing (a selector over no identifier drops out). */
export function evalCond(c: Cond, searches: Record<string, Search>, fields: Record<string, unknown>): boolean | undefined {
  const search = (n: string) => searches[n]!.some((map) => map.every((i) => itemMatches(i, fields)));
  switch (c.op) {
    case 'id':
      return search(c.name);
    case 'not': {
      const a = evalCond(c.arg, searches, fields);
      return a === undefined ? undefined : !a;
    }
    case 'and':
    case 'or': {
      const rs = c.args.map((a) => evalCond(a, searches, fields)).filter((r) => r !== undefined);
      if (rs.length === 0) return undefined;
      return c.op === 'and' ? rs.every(Boolean) : rs.some(Boolean);
    }
    case 'of': {
      const names = selected(c.pattern, Object.keys(searches));
      if (names.length === 0) return undefined;
      return c.all ? names.every(search) : names.some(search);
    }
  }
}

const PRECEDENCE = { or: 1, and: 2, not: 3, of: 4, id: 4 } as const;

/** Writes a condition as Sigma text, with parentheses only where precedence needs them (or `extra` asks). */
export function condText(c: Cond, extra: (c: Cond) => boolean = () => false): string {
  const wrap = (child: Cond, parent: number) => {
    const t = condText(child, extra);
    return PRECEDENCE[child.op] <= parent && child.op !== 'not' ? `(${t})` : extra(child) ? `(${t})` : t;
  };
  switch (c.op) {
    case 'id':
      return c.name;
    case 'of':
      return `${c.all ? 'all' : '1'} of ${c.pattern}`;
    case 'not':
      return `not ${wrap(c.arg, PRECEDENCE.not - 1)}`;
    case 'and':
    case 'or':
      return c.args.map((a) => wrap(a, PRECEDENCE[c.op])).join(` ${c.op} `);
  }
}
