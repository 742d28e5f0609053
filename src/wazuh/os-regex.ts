// Wazuh 4.x's two pattern languages as RE2 (what Vigil's `|re` runs). Both are case-insensitive (their compiled
// patterns compare through a lower-casing character map) and search anywhere unless anchored.
// OS_Regex: \w \d \s \t \p \W \D \S \. classes, + and * after a class, ^ $ |, \$ \( \) \\ \| escapes, ( ) groups.
// OS_Match (sregex): plain text with ^ $ | only.
import { VigilError } from '../errors.js';

const META = /[.*+?^${}()|[\]\\/]/g;
const escapeLiteral = (s: string) => s.replace(META, '\\$&');

const CLASSES: Record<string, string> = {
  w: '[A-Za-z0-9@_-]',
  W: '[^A-Za-z0-9@_-]',
  d: '[0-9]',
  D: '[^0-9]',
  s: ' ',
  S: '[^ ]',
  t: '\\t',
  p: '[()*+,\\-.:;<=>?\\[\\]!"\'#$%&|{}]',
  '.': '[\\s\\S]',
};
const ESCAPED_LITERALS = new Set(['$', '(', ')', '\\', '|', '^', '*', '+', '.']);

export class PatternError extends VigilError<'wazuh_pattern'> {
  constructor(message: string) {
    super('wazuh_pattern', message);
  }
}

/** `(?i)` + the alternatives; `anchorStart` says how a leading ^ reads (the start of the text, by default). */
function join(alternatives: string[], anchorStart: string): string {
  return '(?i)' + alternatives.map((a) => (a.startsWith('^') ? anchorStart + a.slice(1) : a)).join('|');
}

export function osRegexToRe2(pattern: string, anchorStart = '^'): string {
  const alternatives: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new PatternError(`"${pattern}": a trailing backslash`);
      i++;
      const cls = CLASSES[next];
      if (cls !== undefined) {
        cur += cls;
        const q = pattern[i + 1];
        if (q === '+' || q === '*') {
          cur += q;
          i++;
        }
      } else if (ESCAPED_LITERALS.has(next)) cur += escapeLiteral(next);
      else throw new PatternError(`"${pattern}": OS_Regex has no \\${next}`);
    } else if (ch === '|' && depth === 0) {
      alternatives.push(cur);
      cur = '';
    } else if (ch === '(') {
      depth++;
      cur += '(?:';
    } else if (ch === ')') {
      if (depth === 0) throw new PatternError(`"${pattern}": unbalanced ")"`);
      depth--;
      cur += ')';
    } else if (ch === '|') cur += '|';
    else if (ch === '^' && cur === '') cur += '^';
    else if (ch === '$' && (i === pattern.length - 1 || pattern[i + 1] === '|')) cur += '$';
    else cur += escapeLiteral(ch);
  }
  if (depth !== 0) throw new PatternError(`"${pattern}": unbalanced "("`);
  alternatives.push(cur);
  return join(alternatives, anchorStart);
}

export function osMatchToRe2(pattern: string, anchorStart = '^'): string {
  const alternatives = pattern.split('|').map((alt) => {
    let body = alt;
    let head = '';
    let tail = '';
    if (body.startsWith('^')) {
      head = '^';
      body = body.slice(1);
    }
    if (body.endsWith('$')) {
      tail = '$';
      body = body.slice(0, -1);
    }
    return head + escapeLiteral(body) + tail;
  });
  // "a|" (a trailing |, as Wazuh's multi-line <match> lists end) would match everything: drop empty alternatives.
  const kept = alternatives.filter((a) => a !== '');
  if (kept.length === 0) throw new PatternError(`"${pattern}": an empty pattern`);
  return join(kept, anchorStart);
}
