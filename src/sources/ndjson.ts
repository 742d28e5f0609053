// Splitting an ingest body or a file into JSON records: one object, a JSON array, or NDJSON.
// Errors name the line, so an operator can find the bad record.
import { InputError, toEvent } from '../model/event.js';
import type { Event, EventFormat } from '../model/index.js';
import { oneLine } from '../model/one-line.js';

export interface Record_ {
  value: unknown;
  text: string;
  line: number;
  /** For messages: `line 3`, or `element 3 of the array`. */
  where: string;
}

export const MAX_DEPTH = 64;

/** JSON.parse that refuses nesting deeper than MAX_DEPTH (a cheap guard against hostile input). */
export function parseJson(text: string, where: string): unknown {
  if (nestingAbove(text, MAX_DEPTH)) throw new InputError(`${where}: JSON nested deeper than ${MAX_DEPTH} levels`);
  try {
    return parseAlertJson(text);
  } catch (err) {
    // V8 quotes the text it could not parse: shown on one line and short, never raw bytes.
    throw new InputError(`${where}: ${err instanceof InputError ? err.message : `invalid JSON (${oneLine((err as Error).message, 200)})`}`);
  }
}

/**
 * Whether the text nests objects and arrays deeper than `max`. Nesting that deep needs more than `max` opening
 * brackets, which a few native searches count; only text with that many (inside strings or not) is scanned
 * character by character, a scan that costs as much as the parse itself.
 */
function nestingAbove(text: string, max: number): boolean {
  let opens = 0;
  for (const c of ['{', '[']) for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) if (++opens > max) return depthOf(text) > max;
  return false;
}

/** The deepest nesting of objects and arrays outside strings. */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/**
 * JSON.parse for alert text, wherever it is read (intake, and the pipeline reading the record back), so every
 * reader sees the same values:
 * - A NUL (`\u0000`) in a key or value reads as U+FFFD. PostgreSQL text cannot hold NUL at all, SQLite can: read
 *   this way both stores hold and detect the same thing, and the recorded text keeps the original escape.
 * - A `__proto__` key is refused, however it is spelled (`"\u005f_proto__"` too): JSON.parse makes it an own
 *   key, harmless here, but any later merge or spread would turn it into a prototype change.
 * Both can only appear in text holding a `\u` escape or the literal name, so other text costs one scan.
 */
export function parseAlertJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (text.includes('\\u') || text.includes('__proto__')) return clean(value);
  return value;
}

/** A recorded alert's text as the event it was when it was accepted. */
export function readRecordedAlert(body: string, format: string): Event {
  return toEvent(parseAlertJson(body), body, format as EventFormat);
}

const NUL = /\u0000/g;

function clean(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\u0000') ? v.replace(NUL, '\ufffd') : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = clean(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k === '__proto__') throw new InputError('the key "__proto__" is not accepted');
    const x = clean(o[k]);
    if (k.includes('\u0000')) {
      delete o[k];
      o[k.replace(NUL, '\ufffd')] = x;
    } else o[k] = x;
  }
  return o;
}

/**
 * Parses a whole body: one alert (compact or pretty-printed over several lines), a JSON array of alerts, or
 * NDJSON (one alert per line; what `application/x-ndjson` says, and what several lines of JSON are).
 */
export function parseRecords(body: string, ndjson: boolean): Record_[] {
  const trimmed = body.trim();
  if (trimmed === '') return [];
  if (!trimmed.includes('\n') || (!ndjson && trimmed.startsWith('['))) return whole(trimmed, ndjson);
  const out: Record_[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = parseJson(text, `line ${i + 1}`);
    } catch (err) {
      // A pretty-printed alert spans lines: its first line alone is not JSON, the whole body is one value.
      if (out.length === 0 && trimmed.startsWith('{')) return whole(trimmed, true);
      throw err;
    }
    out.push({ value, text, line: i + 1, where: `line ${i + 1}` });
  }
  return out;
}

/** The body as one JSON value; an error names the line it is on. */
function whole(text: string, ndjson: boolean): Record_[] {
  let value: unknown;
  try {
    value = parseJson(text, 'line 1');
  } catch (err) {
    const at = /at position (\d+)/.exec((err as Error).message);
    if (!at || !text.includes('\n')) throw err;
    const line = text.slice(0, Number(at[1])).split('\n').length;
    throw new InputError((err as Error).message.replace(/^line 1:/, `line ${line}:`));
  }
  if (Array.isArray(value) && !ndjson) return value.map((v, i) => ({ value: v, text: JSON.stringify(v), line: 1, where: `element ${i + 1} of the array` }));
  // Stored on one line, however it was sent.
  return [{ value, text: text.includes('\n') ? JSON.stringify(value) : text, line: 1, where: 'line 1' }];
}
