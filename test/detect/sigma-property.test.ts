// Property: on random rules and random (SYNTHETIC) events, the compiled evaluator agrees with the plain
// reference interpreter in sigma-reference.ts. Values are drawn from a small alphabet that includes the
// wildcard, escape and dash characters, so collisions (and the corner cases) are frequent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileDetection } from '../../src/detect/sigma/compile.js';
import { ConditionError } from '../../src/detect/sigma/condition.js';
import { itemMatches, condText, evalCond, type Cond, type Item, type Search } from './sigma-reference.js';
import { evtx } from './sigma-helpers.js';

const FIELDS = ['F1', 'F2', 'F3'];
const NAMES = ['sel_1', 'sel_2', 'filter_1', '_aux'];
const PATTERNS = ['sel_*', 'filter_*', '*', '_*', 'them', 'sel_1', 'other_*'];

const ruleString = fc.string({ unit: fc.constantFrom('a', 'B', '1', '-', '/', '*', '?', '\\', ' ', ' -a', '/B'), maxLength: 5 });
const eventString = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '1', '2', '-', '/', '*', '?', '\\', ' ', '\u2013'), maxLength: 6 });
const regex = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.tuple(fc.constantFrom('a', 'B', '1', '-', '.', ' '), fc.constantFrom('', '', '*', '+', '?')), { minLength: 1, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([start, atoms, end]) => (start ? '^' : '') + atoms.map(([a, q]) => a + q).join('') + (end ? '$' : ''));

const item = fc.oneof(
  // Strings under string modifiers (in any order, as the chain applies them left to right).
  fc.record({
    field: fc.constantFrom(...FIELDS),
    mods: fc.subarray(['contains', 'startswith', 'endswith', 'windash', 'cased', 'all', 'neq']).chain((ms) => fc.shuffledSubarray(ms, { minLength: ms.length })),
    values: fc.array(fc.oneof(ruleString, fc.integer({ min: 0, max: 12 })), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    field: fc.constantFrom(...FIELDS),
    mods: fc.subarray(['cased', 'neq']),
    values: fc.array(fc.oneof(ruleString, ruleString, fc.constant(null)), { minLength: 0, maxLength: 6 }),
  }).map((i) => {
    // null and [] take no modifiers (the loader rejects them), so a modified item keeps only strings.
    const strings = i.values.filter((v) => v !== null);
    return i.mods.length > 0 ? { ...i, values: strings.length > 0 ? strings : ['a'] } : i;
  }),
  fc.record({
    field: fc.constantFrom(...FIELDS),
    mods: fc.tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte'), fc.subarray(['neq'])).map(([m, n]) => [m, ...n]),
    values: fc.array(fc.integer({ min: -3, max: 30 }), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    field: fc.constantFrom(...FIELDS),
    mods: fc.subarray(['i', 'm', 's', 'all', 'neq']).map((ms) => ['re', ...ms]),
    values: fc.array(regex, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ field: fc.constantFrom(...FIELDS), mods: fc.constant(['exists']), values: fc.boolean().map((b): unknown[] => [b]) }),
) as fc.Arbitrary<Item>;

/** A search identifier: one map, or a list of maps; items in one map use distinct fields. */
const search: fc.Arbitrary<Search> = fc.array(
  fc.uniqueArray(item, { minLength: 1, maxLength: 3, selector: (i) => i.field }),
  { minLength: 1, maxLength: 2 },
);

const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NAMES).map((name): Cond => ({ op: 'id', name })),
    fc.record({ op: fc.constant('of' as const), all: fc.boolean(), pattern: fc.constantFrom(...PATTERNS) }),
    fc.record({ op: fc.constant('not' as const), arg: tie('c') }),
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), args: fc.array(tie('c'), { minLength: 2, maxLength: 3 }) }),
  ),
})).c;

const eventValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  eventString,
  fc.integer({ min: -2, max: 15 }),
  fc.array(eventString, { minLength: 1, maxLength: 2 }),
);
/**
 * Event text made from a rule string so that matches are likely: wildcards filled in, escapes resolved or
 * not, dashes swapped for their windash variants, case flipped, and text added around it.
 */
const nearMiss = (rule: string) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom('', 'x', '-', 'ab', '/'), fc.constantFrom('', '/', '\u2014', 'B')), { minLength: rule.length + 1, maxLength: rule.length + 1 }),
      fc.constantFrom('', 'a', ' -'),
      fc.constantFrom('', '1', 'b '),
      fc.boolean(),
    )
    .map(([fill, pre, post, upper]) => {
      let out = '';
      [...rule].forEach((ch, i) => {
        const [star, dash] = fill[i]!;
        if (ch === '*') out += star;
        else if (ch === '?') out += star.slice(0, 1) || 'q';
        else if ((ch === '-' || ch === '/') && dash !== '' && dash !== 'B') out += dash;
        else if (ch === '\\' && star === 'x') out += '';
        else out += ch;
      });
      out = pre + out + post;
      return upper ? out.toUpperCase() : out;
    });

function eventsFor(searches: Search[]): fc.Arbitrary<Record<string, unknown>[]> {
  const strings = searches.flat(2).flatMap((i) => i.values.filter((v): v is string => typeof v === 'string' && !i.mods.includes('re')));
  const value = strings.length === 0 ? eventValue : fc.oneof(eventValue, fc.constantFrom(...strings).chain(nearMiss), fc.constantFrom(...strings).chain(nearMiss));
  return fc.array(fc.record({ F1: value, F2: value, F3: value }), { minLength: 1, maxLength: 8 });
}

/** The detection section as a rule file would hold it. */
function detectionOf(searches: Record<string, Search>, condition: string): Record<string, unknown> {
  const d: Record<string, unknown> = { condition };
  for (const [name, maps] of Object.entries(searches)) {
    const yamlMaps = maps.map((m) => Object.fromEntries(m.map((i) => [[i.field, ...i.mods].join('|'), i.values.length === 1 ? i.values[0] : i.values])));
    d[name] = yamlMaps.length === 1 ? yamlMaps[0] : yamlMaps;
  }
  return d;
}

describe('compiled evaluator ≡ reference interpreter', () => {
  it('agrees item by item (every value and modifier case, no condition to mask a difference)', () => {
    fc.assert(
      fc.property(
        item.chain((i) => fc.tuple(fc.constant(i), eventsFor([[[i]]]))),
        ([i, events]) => {
          const match = compileDetection({ s: { [[i.field, ...i.mods].join('|')]: i.values.length === 1 ? i.values[0] : i.values }, condition: 's' }, 'evtx-json');
          for (const e of events) {
            const fields = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
            assert.equal(match(evtx(fields)), itemMatches(i, fields), `${JSON.stringify(i)} on ${JSON.stringify(fields)}`);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('agrees on random rules and events', () => {
    fc.assert(
      fc.property(
        fc.tuple(search, search, search, search).chain((ss) => fc.tuple(fc.constant(ss), eventsFor(ss))),
        cond,
        fc.func(fc.boolean()),
        ([ss, events], c, extraParens) => {
          const searches = Object.fromEntries(NAMES.map((n, i) => [n, ss[i]!]));
          const text = condText(c, (x) => extraParens(condText(x)));
          const defined = evalCond(c, searches, {}) !== undefined;
          let match;
          try {
            match = compileDetection(detectionOf(searches, text), 'evtx-json');
          } catch (err) {
            if (!defined && err instanceof ConditionError) return;
            throw err;
          }
          assert.ok(defined, `"${text}" selects nothing, yet compiled`);
          for (const e of events) {
            const fields = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
            assert.equal(match(evtx(fields)), evalCond(c, searches, fields), `condition "${text}" on ${JSON.stringify(fields)}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
