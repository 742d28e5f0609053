// The nesting guard of alert parsing: text nested deeper than MAX_DEPTH is refused before JSON.parse sees it,
// whatever else the text holds; many brackets that do not nest (inside strings, or side by side) are no reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DEPTH, parseJson } from '../../src/sources/ndjson.js';

const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{"b":1}' + '}'.repeat(depth - 1);

describe('parseJson nesting guard', () => {
  it('accepts MAX_DEPTH levels and refuses one more, objects or arrays', () => {
    assert.deepEqual(parseJson('[]', 'x'), []);
    assert.ok(parseJson(nested(MAX_DEPTH), 'x'));
    assert.throws(() => parseJson(nested(MAX_DEPTH + 1), 'line 3'), /line 3: JSON nested deeper than 64 levels/);
    assert.throws(() => parseJson('['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1), 'x'), /nested deeper/);
  });

  it('counts only the brackets that nest: in strings or side by side they are many and shallow', () => {
    const inStrings = JSON.stringify({ msg: '{['.repeat(500), list: ['[', '{', '\\"{'] });
    assert.deepEqual(parseJson(inStrings, 'x'), JSON.parse(inStrings));
    const wide = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, tags: [i] })) });
    assert.deepEqual(parseJson(wide, 'x'), JSON.parse(wide));
    // and a deep one hidden among many shallow ones is still found
    const both = JSON.stringify({ msg: '{'.repeat(100) }).slice(0, -1) + ',"deep":' + nested(MAX_DEPTH) + '}';
    assert.throws(() => parseJson(both, 'x'), /nested deeper/);
  });
});
