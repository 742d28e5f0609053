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
  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
      } else if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) this.depth--;
    }
  }
}

export async function* readRecords(input: Readable): AsyncGenerator<RawRecord> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let acc: string[] = [];
  let start = 0;
  let scanner = new DepthScanner();
  for await (const raw of rl) {
    lineNo++;
    const line = raw.trim();
    if (acc.length === 0) {
      if (line === '') continue;
      // Fast path: one complete object per line, as in alerts.json.
      if (line.startsWith('{') && line.endsWith('}')) {
        scanner = new DepthScanner();
        scanner.feed(line);
        if (scanner.depth === 0) {
          yield { text: line, line: lineNo };
          continue;
        }
      }
      scanner = new DepthScanner();
      start = lineNo;
    }
    acc.push(raw);
    scanner.feed(raw);
    if (scanner.depth <= 0) {
      const text = acc.join('\n').trim();
      acc = [];
      if (text !== '') yield { text, line: start };
    }
  }
  if (acc.length > 0) yield { text: acc.join('\n').trim(), line: start };
}
