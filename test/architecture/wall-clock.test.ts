// The time comes from the injected Clock (src/clock.ts): nothing else reads the wall clock, so tests and the soak
// benchmark can drive time. The one exception is named here with its reason, and commented where it stands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineAt, sourceFiles, withoutComments } from '../helpers/source-files.js';

/** Files that may read the wall clock, and how many times. */
const ALLOWED: Record<string, number> = {
  // The Clock itself: systemClock.
  'src/clock.ts': 1,
  // A Retry-After HTTP date is the remote server's wall clock, compared with the real one whatever Clock is given.
  'src/enrich/providers/http.ts': 1,
};

const WALL_CLOCK = /\bDate\.now\b|\bnew Date\(\s*\)/g;

function readings(text: string): number[] {
  const code = withoutComments(text);
  return [...code.matchAll(WALL_CLOCK)].map((m) => lineAt(code, m.index!));
}

describe('wall clock', () => {
  it('only src/clock.ts (and the one named exception) reads Date.now() or new Date()', () => {
    const found: Record<string, number> = {};
    const where: string[] = [];
    for (const f of sourceFiles('src')) {
      const lines = readings(f.text);
      if (lines.length === 0) continue;
      found[f.path] = lines.length;
      if (!(f.path in ALLOWED)) where.push(...lines.map((l) => `${f.path}:${l}: take the time from the injected Clock (src/clock.ts) or the caller's \`now\``));
    }
    assert.deepEqual(where, []);
    assert.deepEqual(found, ALLOWED);
  });

  it('the scan counts calls, a function reference and a no-argument Date, and skips comments and dated Dates', () => {
    const sample = ['const a = Date.now();', 'const f: () => number = Date.now;', 'const d = new Date();', 'const e = new Date(0); // Date.now() in prose', '/* new Date() */'].join('\n');
    assert.deepEqual(readings(sample), [1, 2, 3]);
  });
});
