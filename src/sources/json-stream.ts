// Reads JSON records from a stream: NDJSON (alerts.json), or concatenated and pretty-printed objects
// (evtx_dump output, a single alert saved from a browser). Each record keeps the line it starts on. What it holds
// is bounded: the record being read, up to a limit (a longer one is read to its end without being kept, and
// reported by its size), and the chunk the stream gave; never a whole line, however long.
import type { Readable } from 'node:stream';

export interface RawRecord {
  /** The record's text, trimmed; '' for a record over the limit. */
  text: string;
  line: number;
  /** A record longer than `maxRecordBytes`: its size in bytes (its text was not kept). */
  tooLarge?: number;
}

export interface ReadOptions {
  /** The longest record kept (UTF-8 bytes); a longer one is given as `tooLarge` with its size. Default: no limit. */
  maxRecordBytes?: number;
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

  /**
   * Scans text[from, to); returns the offset just after the first point where the depth comes back to 0, or -1.
   * A line break between two calls leaves an escape pending: the character it takes is the next line's first.
   */
  next(text: string, from: number, to: number): number {
    let i = from;
    while (i < to) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const q = text.indexOf('"', i);
        if (q < 0 || q >= to) {
          // The string goes on past this text: does it end on an escape that takes the next text's first character?
          this.escaped = backslashesBefore(text, to, i) % 2 === 1;
          return -1;
        }
        // A quote after an odd run of backslashes is a character of the string, not its end.
        if (backslashesBefore(text, q, i) % 2 === 0) this.inString = false;
        i = q + 1;
        continue;
      }
      const c = text.charCodeAt(i++);
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if ((c === 125 || c === 93) && --this.depth === 0) return i;
    }
    return -1;
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

/** Space, tab, CR (JSON's whitespace but the line break, which the cutter counts). */
const isBlank = (c: number) => c === 32 || c === 9 || c === 13;

/**
 * Cuts text into records as it comes, a chunk at a time. A record starts at the first character that is not
 * whitespace and ends where its brace depth comes back to 0 (objects side by side on a line are each one
 * record), or, when it opened no structure (a bare value, garbage), at the end of its line, handed on whole for
 * the parser to report. Lines are cut at each \n with indexOf (a \r before one goes too); a line that runs on
 * past its chunk is scanned where it is, so a line of many megabytes (a whole JSON array, thousands of objects
 * side by side) costs its length, and only the record being read is kept.
 */
class RecordCutter {
  private line = 1;
  private scanner = new DepthScanner();
  /** A record has begun and not ended: from `start`, its text so far in `pieces`. */
  private open = false;
  private start = 0;
  private pieces: string[] = [];
  private chars = 0;
  /** Its UTF-8 size, counted once its characters could make more than the limit (a character is ≤ 3 bytes). */
  private bytes = -1;
  private over = false;
  private out: RawRecord[] = [];

  constructor(private readonly limit: number) {}

  feed(chunk: string): RawRecord[] {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', from);
      if (nl < 0) {
        this.segment(chunk, from, chunk.length);
        break;
      }
      this.segment(chunk, from, nl > from && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      this.lineEnd();
      from = nl + 1;
    }
    return this.take();
  }

  end(): RawRecord[] {
    if (this.open) this.finish();
    return this.take();
  }

  private take(): RawRecord[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Text of the current line, chunk[from, to). */
  private segment(chunk: string, from: number, to: number): void {
    let i = from;
    while (i < to) {
      if (!this.open) {
        while (i < to && isBlank(chunk.charCodeAt(i))) i++;
        if (i === to) return;
        this.begin();
      }
      const cut = this.scanner.next(chunk, i, to);
      if (cut < 0) {
        this.keep(chunk.slice(i, to));
        return;
      }
      this.keep(chunk.slice(i, cut));
      this.finish();
      i = cut;
    }
  }

  private lineEnd(): void {
    // A record that opened no structure (or closed more than it opened) ends with its line.
    if (this.open && this.scanner.depth <= 0) this.finish();
    else if (this.open) this.keep('\n');
    this.line++;
  }

  private begin(): void {
    this.open = true;
    this.start = this.line;
    this.scanner = new DepthScanner();
    this.pieces = [];
    this.chars = 0;
    this.bytes = -1;
    this.over = false;
  }

  private keep(piece: string): void {
    if (piece.length === 0) return;
    this.chars += piece.length;
    if (!this.over) this.pieces.push(piece);
    if (this.bytes < 0) {
      if (this.chars * 3 <= this.limit) return;
      this.bytes = this.pieces.reduce((n, p) => n + Buffer.byteLength(p), 0);
    } else this.bytes += Buffer.byteLength(piece);
    if (!this.over && this.bytes > this.limit) {
      // Read on to the record's end without keeping it: its size is what the reader is told.
      this.over = true;
      this.pieces = [];
    }
  }

  private finish(): void {
    this.open = false;
    if (this.over) {
      this.out.push({ text: '', line: this.start, tooLarge: this.bytes });
      return;
    }
    const text = (this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('')).trim();
    this.pieces = [];
    if (text !== '' && !RECORD_HEADER.test(text)) this.out.push({ text, line: this.start });
  }
}

export async function* readRecords(input: Readable, options: ReadOptions = {}): AsyncGenerator<RawRecord> {
  const cutter = new RecordCutter(options.maxRecordBytes ?? Infinity);
  // Decoded as UTF-8 with characters split between chunks put back together.
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) yield* cutter.feed(chunk);
  yield* cutter.end();
}
