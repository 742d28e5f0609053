// Reading one Wazuh alert (or an evtx_dump Windows event) as a Vigil event.
import type { Event, EventFormat } from './index.js';
import { VigilError, type ErrorLocation } from '../errors.js';
import { sha1Hex } from './digest.js';
import { isWcsDocument, wcsKey } from './wcs.js';
import { isoTime, plainIsoTime } from './iso-time.js';

export class InputError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('input', message, location);
  }
}

/** Wazuh writes `+0000`; ISO 8601 parsers want `+00:00`. */
export function parseWazuhTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = plainIsoTime(text) ?? Date.parse(hasBareOffset(text) ? `${text.slice(0, -2)}:${text.slice(-2)}` : text);
  return Number.isNaN(t) ? undefined : t;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Whether the text ends in `±hhmm` (what /([+-]\d{2})(\d{2})$/ finds, without a regex on every alert). */
function hasBareOffset(text: string): boolean {
  const n = text.length;
  if (n < 5) return false;
  const sign = text.charCodeAt(n - 5);
  return (sign === 43 || sign === 45) && isDigit(text.charCodeAt(n - 4)) && isDigit(text.charCodeAt(n - 3)) && isDigit(text.charCodeAt(n - 2)) && isDigit(text.charCodeAt(n - 1));
}

export function detectFormat(obj: Record<string, unknown>): EventFormat {
  if (isWcsDocument(obj)) return 'wcs';
  return obj.Event !== undefined && typeof obj.Event === 'object' && obj.rule === undefined ? 'evtx-json' : 'wazuh';
}

const digest = (text: string) => sha1Hex(text).slice(0, 24);

/** Longest alert id or manager name used as it is in the unique key (a Wazuh id is ~20 characters). */
export const MAX_ID_LENGTH = 256;

/** An id past MAX_ID_LENGTH stands for itself by its digest: every index entry (and PostgreSQL's btree limit) stays small. */
const bounded = (id: string) => (id.length > MAX_ID_LENGTH ? `sha1:${digest(id)}` : id);

/**
 * Unwraps the shapes a Wazuh alert travels in: an active-response message (`parameters.alert`), or a bare
 * eventchannel payload (`{"win": …}`, what Wazuh puts under `data`) as the ruleset tests write it.
 */
export function unwrapAlert(obj: Record<string, any>): Record<string, any> {
  // A Wazuh 5.x indexer hit ({_index, _id, _source}): the document is its _source.
  if (obj._source && typeof obj._source === 'object' && typeof obj._id === 'string') return obj._source;
  if (obj.parameters?.alert && typeof obj.parameters.alert === 'object' && obj.command !== undefined) return obj.parameters.alert;
  if (obj.win && typeof obj.win === 'object' && obj.rule === undefined) {
    return { data: obj, location: 'EventChannel', decoder: { name: 'windows_eventchannel' } };
  }
  return obj;
}

/**
 * An event that keeps the raw JSON line it was parsed from, when its data holds nothing that line does not
 * (detect/screen.ts reads it). The line is a private field: JSON, structuredClone and spread copies (which may
 * change the data) do not carry it. A WeakMap held the same, but setting one entry per alert cost more than a
 * third of JSON.parse (each entry is an ephemeron the garbage collector must trace); a non-enumerable symbol
 * property set with Object.defineProperty cost a fifth of toEvent, where a class gives every such event one shape.
 */
class LineEvent implements Event {
  readonly #line: string;
  /** Whether the line rebuilds the event exactly (evidenceLine); found once, as an event may feed several correlations. */
  #rebuilds: boolean | undefined;
  id: string;
  key: string;
  format: EventFormat;
  time: number;
  data: Record<string, unknown>;

  constructor(event: Event, line: string) {
    this.id = event.id;
    this.key = event.key;
    this.format = event.format;
    this.time = event.time;
    this.data = event.data;
    this.#line = line;
  }

  static lineOf(event: Event): string | undefined {
    return #line in event ? (event as LineEvent).#line : undefined;
  }

  static evidenceOf(event: Event): string | undefined {
    if (!(#line in event)) return undefined;
    const e = event as LineEvent;
    e.#rebuilds ??= !e.#line.includes('\\u') && !e.#line.includes('__proto__');
    return e.#rebuilds ? e.#line : undefined;
  }
}

/** The JSON text an event was parsed from, when every value of its data is spelled in it. */
export function rawLineOf(event: Event): string | undefined {
  return LineEvent.lineOf(event);
}

/**
 * The raw line an event can be rebuilt from exactly, by eventFromLine: its data is that line's plain JSON.parse
 * (intake cleans a line with a `\\u` escape or a `__proto__` key after parsing, so such a line is not offered).
 * Undefined when the event must be kept as it is.
 */
export function evidenceLine(event: Event): string | undefined {
  return LineEvent.evidenceOf(event);
}

/** The event evidenceLine gave the line of: the same id, key, format, time and data. */
export function eventFromLine(line: string, format: EventFormat): Event {
  return toEvent(JSON.parse(line), line, format);
}

/** Turns a parsed record into an event. `text` is its JSON text, used for a digest id when it has none. */
export function toEvent(obj: unknown, text?: string, format?: EventFormat): Event {
  const event = makeEvent(obj, text, format);
  // A bare Windows record is wrapped in what Wazuh would add: values that are not in its text.
  if (text !== undefined && event.format !== 'wcs' && !(event.data !== obj && event.data.data === obj)) return new LineEvent(event, text);
  return event;
}

function makeEvent(obj: unknown, text?: string, format?: EventFormat): Event {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InputError('expected a JSON object');
  const data = unwrapAlert(obj as Record<string, any>);
  const fmt = format ?? detectFormat(data);
  if (fmt === 'evtx-json') {
    const sys = data.Event?.System ?? {};
    const time = isoTime(sys.TimeCreated?.['#attributes']?.SystemTime ?? '') || 0;
    const id = `${sys.Computer ?? '?'}/${sys.Channel ?? '?'}/${sys.EventRecordID ?? digest(text ?? JSON.stringify(data))}`;
    return { id, key: `evtx/${id}`, format: fmt, time, data };
  }
  if (fmt === 'wcs') return wcsEvent(obj as Record<string, any>, data, text);
  const systemTime = data.data?.win?.system?.systemTime;
  const time = (typeof systemTime === 'string' ? isoTime(systemTime) : NaN) || parseWazuhTime(data.timestamp) || 0;
  const id = typeof data.id === 'string' && data.id !== '' ? bounded(data.id) : `sha1:${digest(text ?? JSON.stringify(data))}`;
  const manager = typeof data.manager?.name === 'string' ? bounded(data.manager.name) : '';
  return { id, key: `${manager}/${id}`, format: fmt, time, data };
}

/**
 * A Wazuh 5.x finding or event. Its id is that of the event it stands for (`wcsKey`), or the indexer's `_id`
 * when it came as a hit of an event; its time is the log's own time (`event.start`) when the Engine found one,
 * else `@timestamp` (for a finding, the triggering event's).
 */
function wcsEvent(hit: Record<string, any>, data: Record<string, any>, text?: string): Event {
  const time = isoTime(data.event?.start ?? '') || isoTime(data['@timestamp'] ?? '') || 0;
  const k = wcsKey(hit === data ? {} : hit, data);
  const id = k?.id ?? `sha1:${digest(text ?? JSON.stringify(data))}`;
  return { id, key: `${k?.index ?? 'wcs'}/${id}`, format: 'wcs', time, data };
}
