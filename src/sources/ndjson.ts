// Splitting an ingest body or a file into JSON records: one object, a JSON array, or NDJSON.
// Errors name the line, so an operator can find the bad record.
import { InputError } from '../model/event.js';

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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: invalid JSON (${(err as Error).message})`);
  }
  // JSON.parse makes "__proto__" an own key, harmless here, but any later merge or spread would turn it into a
  // prototype change: such records are refused outright.
  if (text.includes('"__proto__"') && hasProtoKey(value)) throw new InputError(`${where}: the key "__proto__" is not accepted`);
  return value;
}

function hasProtoKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return true;
  return Object.values(value).some(hasProtoKey);
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
