// What a logsource means on Wazuh alerts: which alerts it covers (the gate), where each Sigma field of it is
// written, and what keywords search. One file per Wazuh source (windows.ts, auditd.ts, aws.ts, …) declares its
// logsources; index.ts lists them. A logsource, or a field, that no Wazuh decoder writes is refused
// (UnsupportedError naming it), never matched loosely: an honest refusal beats a silent non-match.
import type { EventFormat } from '../../model/index.js';
import { isV4Path, v4Reader } from '../../model/wcs.js';
import { accessor, withPath, type Accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';

export type Gate = (data: Record<string, unknown>) => boolean;

export interface Logsource {
  product?: string;
  service?: string;
  category?: string;
  definition?: string;
}

export interface Source {
  /** The name the README table and refusals use, e.g. "AWS CloudTrail". */
  name: string;
  gate: Gate;
  /** Where a Sigma field of this logsource is read; throws UnsupportedError for a field Wazuh does not write. */
  field(name: string): Accessor;
  /** Texts an absent field stands for (Wazuh drops Windows "-" values); none unless said. */
  absentMeans?(field: string): string[];
  /** Texts a null value stands for (evtx_dump writes an empty element as null). */
  nullMeans?(field: string): string[];
  /** The strings Sigma keywords search; default: every string of the decoded event (see keywordTexts). */
  keywords?(data: Record<string, unknown>): string[];
  /**
   * false when field values are computed rather than copied from the alert (auditd's hex-decoded arguments, a
   * command line joined from them): the raw-line prefilter (prefilter.ts) must not search for them.
   */
  verbatim?: boolean;
  /**
   * A key every alert of this source carries, for the rule index (dispatch.ts): `integration:<data.integration>`,
   * `decoder:<decoder name or parent>` or `syscheck`. Only a key the gate requires; a list of decoder keys when the
   * gate takes the alerts of several decoders (an alert has one decoder, so it is picked once).
   */
  key?: string | string[];
  /** A regular-expression source every raw alert of this source contains, for the raw-line prefilter. */
  needle?: string;
}

/** A source's entry in the registry: the logsources it answers for. */
export interface SourceSpec {
  /** Returns the source for a logsource it covers, undefined for one it does not know. */
  resolve(ls: NormalLogsource, format: EventFormat): Source | undefined;
}

/** A logsource with lower-cased keys, as Sigma writes them. */
export interface NormalLogsource {
  product?: string;
  service?: string;
  category?: string;
}

/**
 * The object-valued top-level keys of a Wazuh 4.x alert (alerts.json): a dotted field starting with one is an
 * alert path. Scalar keys (`id`, `timestamp`, `location`) have no sub-fields, so Zeek's `id.orig_h` stays Zeek's.
 */
const ALERT_KEYS = new Set(['rule', 'agent', 'manager', 'cluster', 'decoder', 'predecoder', 'data', 'syscheck', 'input']);

/** A dotted Sigma field that names an alert path (`data.srcip`, `rule.level`), read as written. */
export function alertPath(name: string): string[] | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return name === 'full_log' ? ['full_log'] : undefined;
  const head = name.slice(0, dot);
  return ALERT_KEYS.has(head) ? name.split('.') : undefined;
}

/**
 * The accessor of `path`, also trying the remaining segments as one literal key at each level: Wazuh's JSON
 * decoder turns a key holding a dot (Zeek's `id.orig_h`) into nested objects in alerts.json, but events
 * written by other tools may keep the flat key.
 */
export function jsonAccessor(path: string[]): Accessor {
  const nested = accessor(path);
  if (path.length < 2) return nested;
  return withPath((d) => {
    const v = nested(d);
    if (v !== undefined) return v;
    let cur: any = d;
    for (let i = 0; i < path.length; i++) {
      if (cur === null || typeof cur !== 'object') return undefined;
      const rest = path.slice(i).join('.');
      if (i > 0 && rest in cur) return cur[rest];
      cur = cur[path[i]!];
    }
    return cur;
  }, path);
}

/**
 * Fields of a source whose decoder passes a JSON record through (Wazuh's JSON decoder keeps every key): a Sigma
 * field is that key under `prefix`, dotted names descend; `rename` maps names the Sigma rules use differently;
 * `refuse` names fields the record does not have, with the reason.
 */
export function jsonFields(
  source: string,
  prefix: string[],
  opts: { rename?: Record<string, string>; refuse?: Record<string, string> } = {},
): (name: string) => Accessor {
  return (name) => {
    const why = opts.refuse?.[name];
    if (why) throw new UnsupportedError(`field "${name}" of ${source}: ${why}`);
    const absolute = alertPath(name);
    if (absolute) return jsonAccessor(absolute);
    const renamed = opts.rename?.[name];
    return jsonAccessor([...prefix, ...(renamed ?? name).split('.')]);
  };
}

/**
 * A Wazuh Common Schema name (`source.ip`, `wazuh.rule.level`) read from a 4.x alert through the WCS table
 * (src/model/wcs.ts), for rules written for Wazuh 5.x; undefined for other names.
 */
export function wcsNameOn4x(name: string): Accessor | undefined {
  if (!name.includes('.') || isV4Path(name)) return undefined;
  return v4Reader(name) as Accessor | undefined;
}

/** Fields of a source with a fixed list of decoded fields (a regex decoder): others are refused. */
export function fixedFields(source: string, fields: Record<string, Accessor>, why: string): (name: string) => Accessor {
  return (name) => {
    const get = fields[name];
    if (get) return get;
    const absolute = alertPath(name);
    if (absolute) return accessor(absolute);
    const wcs = wcsNameOn4x(name);
    if (wcs) return wcs;
    throw new UnsupportedError(`field "${name}" of ${source}: ${why}`);
  };
}

const strOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const decoderName = (d: Record<string, unknown>): string | undefined => strOf((d.decoder as any)?.name);
export const decoderParent = (d: Record<string, unknown>): string | undefined => strOf((d.decoder as any)?.parent);
export const programName = (d: Record<string, unknown>): string | undefined => strOf((d.predecoder as any)?.program_name);

/**
 * The raw-line needle of a decoder's alerts: its name as the value of the alert's `decoder` object (name or
 * parent), not anywhere in the line — a sudo session line decoded by pam names "sudo" as its program too.
 */
export const decoderNeedle = (name: string): string => `"decoder"\\s*:\\s*\\{[^}]*"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`;

/** The alert was decoded by one of these decoders (its name or its parent's). */
export function decodedBy(names: string[]): Gate {
  const set = new Set(names);
  return (d) => {
    const n = decoderName(d);
    const p = decoderParent(d);
    return (n !== undefined && set.has(n)) || (p !== undefined && set.has(p));
  };
}

/** Which parts of an alert are the event (not Wazuh's annotation of it: rule, agent, manager, decoder …). */
const EVENT_KEYS = ['full_log', 'data', 'syscheck'];
const texts = new WeakMap<object, string[]>();

/**
 * Every string of the decoded event — `full_log`, every string under `data` (the decoder's fields, the JSON
 * record, the Windows message) and `syscheck` — as the Sigma specification describes keyword search (the whole
 * log). Wazuh's own annotations (`rule.description`, `agent.name`, …) are not the event: a keyword
 * "failed" must not match Wazuh's description "authentication failed". Computed once per event.
 */
export function keywordTexts(data: Record<string, unknown>): string[] {
  let out = texts.get(data);
  if (out) return out;
  out = [];
  for (const k of EVENT_KEYS) collect(data[k], out, 0);
  texts.set(data, out);
  return out;
}

/** evtx_dump events: every string of EventData and UserData. */
export function evtxKeywordTexts(data: Record<string, unknown>): string[] {
  let out = texts.get(data);
  if (out) return out;
  out = [];
  const ev = (data as any).Event;
  if (ev && typeof ev === 'object') {
    collect(ev.EventData, out, 0);
    collect(ev.UserData, out, 0);
  }
  texts.set(data, out);
  return out;
}

function collect(v: unknown, out: string[], depth: number): void {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number') out.push(String(v));
  else if (v !== null && typeof v === 'object' && depth < 16) {
    if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
    else for (const k in v) collect((v as Record<string, unknown>)[k], out, depth + 1);
  }
}

export const never: Gate = () => false;
export const always: Gate = () => true;

/** Whether a decoded Wazuh alert came from this integration module (`data.integration`: aws, docker, github …). */
export const fromIntegration =
  (integration: string): Gate =>
  (d) =>
    (d.data as any)?.integration === integration;

/**
 * Records of a Wazuh integration module, decoded into `data.<integration>.*` with the record's own field names.
 * `gate` narrows it (one service of the module), `needle` is a literal every such raw line holds, `label` names
 * the field map in messages.
 */
export function integrationSource(integration: string, name: string, o: { gate?: Gate; needle?: string; label?: string } = {}): Source {
  return {
    name,
    gate: o.gate ?? fromIntegration(integration),
    key: `integration:${integration}`,
    needle: o.needle ?? `"${integration}"`,
    field: jsonFields(o.label ?? integration, ['data', integration]),
    keywords: keywordTexts,
  };
}
