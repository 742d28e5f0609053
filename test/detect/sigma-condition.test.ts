// Conformance of the condition grammar with the Sigma specification (shared/reference/sigma.md §1.7).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionError, parseCondition } from '../../src/detect/sigma/condition.js';
import { detect, evtx } from './sigma-helpers.js';

/** Search identifiers a, b, c, d, … each true when the event's field of the same name is "1". */
function truth(condition: string, names: string[], on: string[]): boolean {
  const detection: Record<string, unknown> = { condition };
  for (const n of names) detection[n] = { [n]: '1' };
  return detect(detection)(evtx(Object.fromEntries(on.map((n) => [n, '1']))));
}

describe('condition grammar', () => {
  it('precedence: or < and < not (a and not b or not c and d)', () => {
    const c = 'a and not b or not c and d';
    const names = ['a', 'b', 'c', 'd'];
    for (let mask = 0; mask < 16; mask++) {
      const on = names.filter((_, i) => mask & (1 << i));
      const [a, b, cc, d] = names.map((n) => on.includes(n));
      assert.equal(truth(c, names, on), (a! && !b) || (!cc && d!), `with ${on.join(',') || 'none'}`);
    }
  });

  it('parentheses group; not binds to the next atom', () => {
    assert.equal(truth('a and (b or c)', ['a', 'b', 'c'], ['a', 'c']), true);
    assert.equal(truth('(a and b) or c', ['a', 'b', 'c'], ['a']), false);
    assert.equal(truth('not (a or b)', ['a', 'b'], []), true);
    assert.equal(truth('not a or b', ['a', 'b'], ['a']), false);
    assert.equal(truth('not not a', ['a'], ['a']), true);
  });

  it('1 of / any of / all of with a pattern', () => {
    const names = ['selection_a', 'selection_b', 'filter'];
    assert.equal(truth('1 of selection_*', names, ['selection_b']), true);
    assert.equal(truth('any of selection_*', names, ['selection_b']), true);
    assert.equal(truth('all of selection_*', names, ['selection_b']), false);
    assert.equal(truth('all of selection_*', names, ['selection_a', 'selection_b']), true);
    assert.equal(truth('1 of selection_*', names, ['filter']), false);
    assert.equal(truth('all of sel*_* and not filter', names, ['selection_a', 'selection_b', 'filter']), false);
  });

  it('a pattern without a wildcard selects only that identifier (no prefix collision)', () => {
    assert.equal(truth('1 of selection', ['selection', 'selection_extra'], ['selection_extra']), false);
    assert.equal(truth('1 of selection', ['selection', 'selection_extra'], ['selection']), true);
  });

  it('them is every identifier except those starting with _; a pattern not starting with _ skips them', () => {
    const names = ['a', 'b', '_helper'];
    assert.equal(truth('all of them', names, ['a', 'b']), true, '_helper is not required');
    assert.equal(truth('1 of them', names, ['_helper']), false);
    assert.equal(truth('1 of *', names, ['_helper']), false);
    assert.equal(truth('1 of _*', names, ['_helper']), true);
  });

  it('a selector that matches no identifier is dropped from its parent (pySigma), not evaluated as false', () => {
    assert.equal(truth('selection and not 1 of filter_*', ['selection'], ['selection']), true);
    assert.equal(truth('selection or 1 of filter_*', ['selection'], []), false);
  });

  it('a list of conditions is their OR', () => {
    const m = detect({ a: { a: '1' }, b: { b: '1' }, condition: ['a', 'b'] });
    assert.equal(m(evtx({ b: '1' })), true);
    assert.equal(m(evtx({})), false);
  });

  it('rejects invalid conditions with a message naming the problem', () => {
    const bad: [string, RegExp][] = [
      ['a and (b OR c)', /lower-case/],
      ['a AND b', /lower-case/],
      ['2 of sel*', /only "1 of", "any of" and "all of"/],
      ['sel | count() by IpAddress > 5', /pipe aggregation syntax is obsolete/],
      ['a near b', /"near" is obsolete|unexpected/],
      ['(a and b', /missing "\)"/],
      ['a and', /ends too early/],
      ['a b', /unexpected "b"/],
      ['1 of', /expected an identifier/],
      ['1 of sel-*', /expected an identifier/],
      ['', /empty/],
    ];
    for (const [text, re] of bad) assert.throws(() => parseCondition(text), (e: Error) => e instanceof ConditionError && re.test(e.message), text);
    assert.throws(() => detect({ a: { a: 1 }, condition: 'a and b' }), /condition names "b", which is not a search identifier/);
  });
});
