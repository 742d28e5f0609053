// The Sigma condition grammar (sigma.md §1.7): or < and < not < `x of` < ( ), keywords lower-case only,
// `1 of`/`any of`/`all of` a name, a `*` pattern or `them`.
import { VigilError, type ErrorLocation } from '../../errors.js';
import { Memo } from '../memo.js';
export type ConditionNode =
  | { kind: 'id'; name: string }
  | { kind: 'not'; arg: ConditionNode }
  | { kind: 'and' | 'or'; args: ConditionNode[] }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string };

export class ConditionError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('condition', message, location);
  }
}

const TOKEN = /\s*(\(|\)|[^\s()]+)/y;
const IDENT = /^[A-Za-z0-9_-]+$/;
const PATTERN = /^[A-Za-z0-9_*]+$/;
const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any', '1']);

/**
 * The tree of a condition. Trees are not changed by their readers, so one is parsed once per text (SigmaHQ's
 * Windows rules write about 300 different conditions), a refusal remembered with it.
 */
export function parseCondition(text: string): ConditionNode {
  return parsed.get(text, () => parseText(text));
}

const parsed = new Memo<ConditionNode>(10_000);

function parseText(text: string): ConditionNode {
  if (text.includes('|'))
    throw new ConditionError(`condition "${text}": the pipe aggregation syntax is obsolete; use a correlation rule`);
  const tokens: string[] = [];
  let at = 0;
  for (;;) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) break;
    tokens.push(m[1]!);
    at = TOKEN.lastIndex;
  }
  if (tokens.length === 0) throw new ConditionError('condition is empty');
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const fail = (why: string): never => {
    throw new ConditionError(`condition "${text}": ${why}`);
  };
  /** Where a token was expected to end an expression, an upper-case operator is the likely mistake. */
  const unexpected = (t: string, otherwise: string) =>
    fail(['and', 'or', 'not'].includes(t.toLowerCase()) && t !== t.toLowerCase() ? `"${t}": operators are lower-case` : otherwise);

  /** `operand (op operand)*`, one node however long the chain. */
  function chain(op: 'and' | 'or', operand: () => ConditionNode): ConditionNode {
    const args = [operand()];
    while (peek() === op) {
      next();
      args.push(operand());
    }
    return args.length === 1 ? args[0]! : { kind: op, args };
  }
  function parseOr(): ConditionNode {
    return chain('or', parseAnd);
  }
  function parseAnd(): ConditionNode {
    return chain('and', parseNot);
  }
  function parseNot(): ConditionNode {
    if (peek() === 'not') {
      next();
      return { kind: 'not', arg: parseNot() };
    }
    return parseAtom();
  }
  function parseAtom(): ConditionNode {
    const t = next();
    if (t === undefined) return fail('ends too early');
    if (t === '(') {
      const inner = parseOr();
      const close = next();
      if (close !== ')') unexpected(close ?? '', 'missing ")"');
      return inner;
    }
    if (t === '1' || t === 'any' || t === 'all') {
      if (peek() !== 'of') fail(`expected "of" after "${t}"`);
      next();
      const pattern = next();
      if (pattern === undefined || !(pattern === 'them' || PATTERN.test(pattern)) || (KEYWORDS.has(pattern) && pattern !== 'them'))
        fail(`expected an identifier, a pattern or "them" after "${t} of"`);
      return { kind: 'of', quantifier: t === 'all' ? 'all' : 'one', pattern: pattern! };
    }
    if (t === 'near') fail('"near" is obsolete; use a temporal correlation rule');
    if (/^\d+$/.test(t) && peek() === 'of') fail(`only "1 of", "any of" and "all of" are valid, not "${t} of"`);
    if (KEYWORDS.has(t) || t === ')') fail(`unexpected "${t}"`);
    const lower = t.toLowerCase();
    if (['and', 'or', 'not', 'of'].includes(lower)) fail(`"${t}": operators are lower-case`);
    if (!IDENT.test(t)) fail(`"${t}" is not a valid identifier`);
    return { kind: 'id', name: t };
  }

  const tree = parseOr();
  if (pos !== tokens.length) unexpected(tokens[pos]!, `unexpected "${tokens[pos]}"`);
  return tree;
}

/**
 * Names a `x of pattern` refers to. `them` is every identifier not starting with `_`; a pattern is a full
 * match with `*` for any run; a pattern that does not itself start with `_` never selects `_` identifiers.
 */
export function expandPattern(pattern: string, names: string[]): string[] {
  if (pattern === 'them') return names.filter((n) => !n.startsWith('_'));
  const re = new RegExp('^' + pattern.replace(/\*/g, '.*') + '$');
  return names.filter((n) => re.test(n) && (pattern.startsWith('_') || !n.startsWith('_')));
}

/** What a fold of a condition tree makes of each kind of node (a matcher, the literals a match needs …). */
export interface ConditionFold<T> {
  /** A search identifier; `of` selectors reach it too, for each name their pattern matches. */
  id(name: string): T;
  not(arg: T): T;
  and(args: T[]): T;
  or(args: T[]): T;
}

/**
 * Folds a condition tree over the search identifiers `names`. A selector (`1 of x*`) that matches no identifier
 * is dropped from its parent, as pySigma does, so `sel and not 1 of filter_*` without filters is `sel`; undefined
 * means "dropped" (the whole condition, when nothing is left).
 */
export function foldCondition<T>(node: ConditionNode, names: string[], f: ConditionFold<T>): T | undefined {
  switch (node.kind) {
    case 'id':
      return f.id(node.name);
    case 'not': {
      const arg = foldCondition(node.arg, names, f);
      return arg === undefined ? undefined : f.not(arg);
    }
    case 'and':
    case 'or': {
      const args = node.args.map((a) => foldCondition(a, names, f)).filter((a): a is T => a !== undefined);
      if (args.length === 0) return undefined;
      return node.kind === 'and' ? f.and(args) : f.or(args);
    }
    case 'of': {
      const matched = expandPattern(node.pattern, names);
      if (matched.length === 0) return undefined;
      const args = matched.map((n) => f.id(n));
      return node.quantifier === 'all' ? f.and(args) : f.or(args);
    }
  }
}
