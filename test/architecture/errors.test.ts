// One error base: every error class of Vigil's extends VigilError (src/errors.ts), so it carries a code the CLI
// and the HTTP error handler map, never a message to match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceFiles, withoutComments } from '../helpers/source-files.js';

const CLASS = /\bclass\s+(\w+)(?:<[^>{]*>)?\s+extends\s+([\w.]+)/g;

/** Error classes that do not come down from VigilError, given `class A extends B` pairs. */
export function outsideVigilError(pairs: [string, string, string][]): string[] {
  const parent = new Map(pairs.map(([name, base]) => [name, base]));
  const out: string[] = [];
  for (const [name, , where] of pairs) {
    let at = name;
    const seen = new Set<string>();
    while (parent.has(at) && at !== 'VigilError' && !seen.has(at)) (seen.add(at), (at = parent.get(at)!));
    // Reached a base defined outside src/: an error class unless it is VigilError itself.
    if (at !== 'VigilError' && /Error$/.test(at)) out.push(`${where}: class ${name} comes down from ${at}, not VigilError`);
  }
  return out;
}

describe('error classes', () => {
  it('every error class in src/ extends VigilError', () => {
    const pairs: [string, string, string][] = [];
    for (const f of sourceFiles('src')) for (const m of withoutComments(f.text).matchAll(CLASS)) pairs.push([m[1]!, m[2]!, f.path]);
    assert.ok(pairs.filter(([, b]) => b === 'VigilError').length >= 15, 'the scan finds the VigilError subclasses');
    assert.deepEqual(outsideVigilError(pairs.filter(([n]) => n !== 'VigilError')), []);
  });

  it('the check follows a chain and flags a class on another base', () => {
    assert.deepEqual(
      outsideVigilError([
        ['PermanentError', 'VigilError', 'a.ts'],
        ['PermanentHttpError', 'PermanentError', 'b.ts'],
        ['LooseError', 'Error', 'c.ts'],
        ['Worse', 'TypeError', 'd.ts'],
        ['Poller', 'EventEmitter', 'e.ts'],
      ]),
      ['c.ts: class LooseError comes down from Error, not VigilError', 'd.ts: class Worse comes down from TypeError, not VigilError'],
    );
  });
});
