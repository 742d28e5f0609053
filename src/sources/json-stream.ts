// Reads JSON records from a stream: NDJSON (alerts.json), or concatenated and pretty-printed objects
// (evtx_dump output, a single alert saved from a browser). Each record keeps the line it starts on.
import type { Readable } from 'node:stream';

export interface RawRecord {
  text: string;
  line: number;
}

/**
 * Scans text for the running brace depth, string state carried across calls. A string is crossed with one
 * indexOf to its next quote rather than a step per character: most of an alert's bytes are inside strings, and
 * `vigil replay` scans every one of them.
 */
class DepthScanner {
  depth = 0;
  private inString = false;
  /** The text before ended inside a string on an odd run of backslashes: the next character is escaped. */
  private escaped = false;
  /** Feeds text; returns the offsets just after each point where the depth came back to 0. */
  feed(text: string): number[] {
    const ends: number[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const q = text.indexOf('"', i);
        if (q < 0) {
          // The string goes on past this text: does it end on an escape that takes the next text's first character?
          this.escaped = backslashesBefore(text, n, i) % 2 === 1;
          break;
        }
        // A quote after an odd run of backslashes is a character of the string, not its end.
        if (backslashesBefore(text, q, i) % 2 === 0) this.inString = false;
        i = q + 1;
        continue;
      }
      const c = text.charCodeAt(i++);
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if ((c === 125 || c === 93) && --this.depth === 0) ends.push(i);
    }
    return ends;
  }
}

/** How many backslashes stand just before offset `at`, counting back no further than `from`. */
function backslashesBefore(text: string, at: number, from: number): number {
  let k = at;
  while (k > from && text.charCodeAt(k - 1) === 92) k--;
  return at - k;
}

/** evtx_dump's JSON mode writes a "Record N" line before each event. */
const RECORD_HEADER = /^Record \d+$/;

/**
 * The input's lines, a chunk's worth at a time: cut at each \n with one indexOf (a \r before it goes too), which
 * is most of what reading a large file costs once the records are scanned quickly. A line may span chunks; the
 * text is decoded as UTF-8 with characters split between chunks put back together.
 */
async function* linesOf(input: Readable): AsyncGenerator<string[]> {
  input.setEncoding('utf8');
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    const lines: string[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      lines.push(text.slice(from, nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
      from = nl + 1;
    }
    rest = text.slice(from);
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

export async function* readRecords(input: Readable): AsyncGenerator<RawRecord> {
  let lineNo = 0;
  let acc: string[] = [];
  let start = 0;
  let scanner = new DepthScanner();
  for await (const lines of linesOf(input)) {
    for (const raw of lines) {
      lineNo++;
      let line = raw;
      if (acc.length === 0) {
        const trimmed = line.trim();
        if (trimmed === '' || RECORD_HEADER.test(trimmed)) continue;
        scanner = new DepthScanner();
        start = lineNo;
      }
      let ends = scanner.feed(line);
      // Objects may follow each other on one line (`}{`): cut at each return to depth 0.
      while (ends.length > 0) {
        const cut = ends[0]!;
        acc.push(line.slice(0, cut));
        const text = acc.join('\n').trim();
        acc = [];
        if (text !== '') yield { text, line: start };
        line = line.slice(cut);
        if (line.trim() === '') {
          line = '';
          break;
        }
        scanner = new DepthScanner();
        start = lineNo;
        ends = scanner.feed(line);
      }
      if (line !== '') {
        if (scanner.depth <= 0 && acc.length === 0) {
          // Not JSON structure (a bare value or garbage): hand it on whole so the parser reports it.
          yield { text: line.trim(), line: lineNo };
          continue;
        }
        acc.push(line);
      }
    }
  }
  if (acc.length > 0) yield { text: acc.join('\n').trim(), line: start };
}
