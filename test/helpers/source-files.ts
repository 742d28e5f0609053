// The project's own source files as text, for tests that hold a rule of the code base (who may query which
// table, where the wall clock may be read).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './fixtures.js';

export interface SourceFile {
  /** Path from the repository root, with forward slashes: `src/triage/record.ts`. */
  path: string;
  text: string;
}

export function sourceFiles(dir = 'src'): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const full = join(abs, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push({ path: relative(ROOT, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  walk(join(ROOT, dir));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The text with comments blanked out (strings and templates kept), so a rule is not tripped by prose. */
export function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') (out += ' '), i++;
    } else if (c === '/' && next === '*') {
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) (out += text[i] === '\n' ? '\n' : ' '), i++;
      out += '  ';
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      out += c;
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') (out += text[i]), i++;
        out += text[i] ?? '';
        i++;
      }
      out += text[i] ?? '';
      i++;
    } else {
      // A regular expression literal may hold quotes or slashes: skip it whole where one can start.
      if (c === '/' && /[=(,:;!&|?{}[\n]\s*$/.test(out.slice(-20))) {
        let j = i + 1;
        let cls = false;
        while (j < text.length && text[j] !== '\n' && (cls || text[j] !== '/')) {
          if (text[j] === '\\') j++;
          else if (text[j] === '[') cls = true;
          else if (text[j] === ']') cls = false;
          j++;
        }
        if (text[j] === '/') {
          out += text.slice(i, j + 1);
          i = j + 1;
          continue;
        }
      }
      out += c;
      i++;
    }
  }
  return out;
}

/** 1-based line of an offset. */
export const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
