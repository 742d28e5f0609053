// The Sigma condition grammar: or < and < not, parentheses, `1 of`/`any of`/`all of` with patterns and `them`.
export type ConditionNode =
  | { kind: 'id'; name: string }
  | { kind: 'not'; arg: ConditionNode }
  | { kind: 'and' | 'or'; args: ConditionNode[] }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string };

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[^\s()]+)/y;

export function parseCondition(text: string): ConditionNode {
  const tokens: string[] = [];
  let at = 0;
  for (;;) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) break;
    tokens.push(m[1]!);
    at = TOKEN.lastIndex;
  }
  if (text.slice(at).trim() !== '') throw new ConditionError(`cannot read condition "${text}"`);
  let pos = 0;
  const peek = () => tokens[pos]?.toLowerCase();
  const next = () => tokens[pos++];

  function parseOr(): ConditionNode {
    const args = [parseAnd()];
    while (peek() === 'or') {
      next();
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0]! : { kind: 'or', args };
  }
  function parseAnd(): ConditionNode {
    const args = [parseNot()];
    while (peek() === 'and') {
      next();
      args.push(parseNot());
    }
    return args.length === 1 ? args[0]! : { kind: 'and', args };
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
    if (t === undefined) throw new ConditionError(`condition "${text}" ends too early`);
    if (t === '(') {
      const inner = parseOr();
      if (next() !== ')') throw new ConditionError(`condition "${text}": missing ")"`);
      return inner;
    }
    const lower = t.toLowerCase();
    if (lower === '1' || lower === 'any' || lower === 'all') {
      if (peek() !== 'of') throw new ConditionError(`condition "${text}": expected "of" after "${t}"`);
      next();
      const pattern = next();
      if (pattern === undefined || pattern === '(' || pattern === ')')
        throw new ConditionError(`condition "${text}": expected a name, a pattern or "them" after "${t} of"`);
      return { kind: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern };
    }
    if (t === ')' || ['and', 'or', 'not', 'of'].includes(lower))
      throw new ConditionError(`condition "${text}": unexpected "${t}"`);
    if (lower === '|' || t.startsWith('|'))
      throw new ConditionError(`condition "${text}": the pipe aggregation syntax is obsolete; use a correlation rule`);
    return { kind: 'id', name: t };
  }

  const tree = parseOr();
  if (pos !== tokens.length) throw new ConditionError(`condition "${text}": unexpected "${tokens[pos]}"`);
  return tree;
}

/** Names that a `x of pattern` refers to. `them` means every identifier not starting with `_`. */
export function expandPattern(pattern: string, names: string[]): string[] {
  if (pattern === 'them') return names.filter((n) => !n.startsWith('_'));
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return names.filter((n) => re.test(n));
}
