// `|re` values run on RE2JS, a linear-time engine (no backtracking), so no rule regex can be driven into
// catastrophic backtracking by an attacker-chosen field value. The whole value is searched: a match costs time
// linear in its length, and a value is bounded by ingest.maxAlertBytes. (A cut-off would change results: an
// anchored pattern would match a truncated value it does not match whole, and a match past the cut would be
// missed.) Constructs RE2 cannot run in linear time (backreferences, lookaround) make the rule "unsupported" at
// load.
import { RE2JS } from 're2js';
import { Memo } from '../memo.js';
import { SigmaError, UnsupportedError } from './values.js';

export type RegexFlag = 'i' | 'm' | 's';

const FLAG_BITS: Record<RegexFlag, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/** Does JavaScript's engine accept the pattern? Tells an invalid regex from one RE2 merely cannot run. */
function validInJs(pattern: string): boolean {
  try {
    // Inline flag groups are PCRE (and RE2) syntax that this Node's RegExp lacks; drop them for the check.
    new RegExp(pattern.replace(/\(\?[imsU-]+\)/g, '').replace(/\(\?[imsU-]+:/g, '(?:'), 'u');
    return true;
  } catch {
    try {
      new RegExp(pattern.replace(/\(\?[imsU-]+\)/g, '').replace(/\(\?[imsU-]+:/g, '(?:'));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Compiles a Sigma regular expression. Matching is a substring search (sigma.md §1.6: anchor with ^…$ for
 * equality), case-sensitive unless `i`. Leading or inline `(?i)` as SigmaHQ writes it is RE2 syntax and works.
 */
export function compileRegex(pattern: string, flags: RegexFlag[]): (text: string) => boolean {
  let bits = 0;
  for (const f of flags) bits |= FLAG_BITS[f];
  // Rules share expressions: each is compiled once (its matcher holds no state between calls), a refusal
  // remembered with it.
  return compiled.get(`${bits}/${pattern}`, () => compileOne(pattern, bits));
}

const compiled = new Memo<(text: string) => boolean>(20_000);

function compileOne(pattern: string, bits: number): (text: string) => boolean {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, bits);
  } catch (err) {
    const why = (err as Error).message;
    if (validInJs(pattern)) throw new UnsupportedError(`regular expression ${JSON.stringify(pattern)} uses a construct the linear-time engine does not run (${why})`);
    throw new SigmaError(`invalid regular expression ${JSON.stringify(pattern)}: ${why}`);
  }
  return (t) => re.test(t);
}
