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
 * The input's lines, a chunk's worth at a time: each chunk is cut at its \n with indexOf (a \r before one goes
 * too), which is most of what reading a large file costs once the records are scanned quickly. The start of a
 * line that runs on past its chunk is kept in pieces, joined once when the line ends: a line of many megabytes
 * (a whole JSON array on one line) costs its length, not its length times its chunks. The text is decoded as
 * UTF-8 with characters split between chunks put back together. A lone \r is no line break (readline's was):
 * objects side by side on such a line are still cut where each ends.
 */
async function* linesOf(input: Readable): AsyncGenerator<string[]> {
  input.setEncoding('utf8');
  let pending: string[] = [];
  const ended = (last: string): string => {
    let line = last;
    if (pending.length > 0) {
      pending.push(last);
      line = pending.join('');
      pending = [];
    }
    return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
  };
  for await (const chunk of input as AsyncIterable<string>) {
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      pending.push(chunk);
      continue;
    }
    const lines: string[] = [];
    let from = 0;
    for (; nl >= 0; nl = chunk.indexOf('\n', from)) {
      lines.push(ended(chunk.slice(from, nl)));
      from = nl + 1;
    }
    if (from < chunk.length) pending.push(chunk.slice(from));
    yield lines;
  }
  if (pending.length > 0) yield [ended('')];
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
      // Objects may follow each other on one line (`}{`): cut at each return to depth 0, all found in one scan of
      // the line (where the depth is 0 the scanner stands as a new one would). Scanning the rest again after each
      // cut made a line of n objects cost n scans of it.
      const ends = scanner.feed(line);
      let from = 0;
      for (const cut of ends) {
        acc.push(line.slice(from, cut));
        const text = acc.join('\n').trim();
        acc = [];
        if (text !== '') yield { text, line: start };
        from = cut;
        start = lineNo;
      }
      if (from > 0) {
        line = line.slice(from);
        if (line.trim() === '') line = '';
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
