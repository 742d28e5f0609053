// Reads JSON records from a stream: NDJSON (alerts.json), or concatenated and pretty-printed objects
// (evtx_dump output, a single alert saved from a browser). Each record keeps the line it starts on.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface RawRecord {
  text: string;
  line: number;
}

/** Scans text for the running brace depth, string state carried across calls. */
class DepthScanner {
  depth = 0;
  private inString = false;
  private escaped = false;
  /** Feeds text; returns the offsets just after each point where the depth came back to 0. */
  feed(text: string): number[] {
    const ends: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
      } else if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if ((c === 125 || c === 93) && --this.depth === 0) ends.push(i + 1);
    }
    return ends;
  }
}

/** evtx_dump's JSON mode writes a "Record N" line before each event. */
const RECORD_HEADER = /^Record \d+$/;

export async function* readRecords(input: Readable): AsyncGenerator<RawRecord> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let acc: string[] = [];
  let start = 0;
  let scanner = new DepthScanner();
  for await (const raw of rl) {
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
  if (acc.length > 0) yield { text: acc.join('\n').trim(), line: start };
}
