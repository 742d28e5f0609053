// Splitting an ingest body or a file into JSON records: one object, a JSON array, or NDJSON.
// Errors name the line, so an operator can find the bad record.
import { InputError, toEvent } from '../model/event.js';
import type { Event, EventFormat } from '../model/index.js';

export interface Record_ {
  value: unknown;
  text: string;
  line: number;
}

export const MAX_DEPTH = 64;

/** JSON.parse that refuses nesting deeper than MAX_DEPTH (a cheap guard against hostile input). */
export function parseJson(text: string, where: string): unknown {
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
  if (max > MAX_DEPTH) throw new InputError(`${where}: JSON nested deeper than ${MAX_DEPTH} levels`);
  try {
    return parseAlertJson(text);
  } catch (err) {
    throw new InputError(`${where}: ${err instanceof InputError ? err.message : `invalid JSON (${(err as Error).message})`}`);
  }
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

/** Parses a whole body. NDJSON when asked, or when the text holds more than one top-level line. */
export function parseRecords(body: string, ndjson: boolean): Record_[] {
  const trimmed = body.trim();
  if (trimmed === '') return [];
  if (!ndjson && (trimmed.startsWith('[') || !trimmed.includes('\n'))) {
    const value = parseJson(trimmed, 'line 1');
    if (Array.isArray(value)) return value.map((v, i) => ({ value: v, text: JSON.stringify(v), line: i + 1 }));
    return [{ value, text: trimmed, line: 1 }];
  }
  const out: Record_[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '') continue;
    out.push({ value: parseJson(text, `line ${i + 1}`), text, line: i + 1 });
  }
  return out;
}
