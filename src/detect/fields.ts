// Where a Sigma field lives in each input format. Rules are compiled once per format into path accessors,
// so the hot path walks the parsed JSON and never builds a normalized copy of the event.
import type { EventFormat } from '../model/index.js';
import { isV4Path, v4Reader, wcsReader } from '../model/wcs.js';
import { Memo } from './memo.js';

/**
 * Reads one field of an event. `path`: the alert path it reads as written, when it is a plain path (not computed
 * from other fields): the Wazuh 5.x mapping and the 5.x gaps of a rule start from it.
 */
export type Accessor = ((data: Record<string, unknown>) => unknown) & { path?: readonly string[] };

/** Marks an accessor as reading `path` as written. */
export function withPath<A extends Accessor>(get: A, path: readonly string[]): A {
  get.path = path;
  return get;
}

/** Windows System fields whose Wazuh name is not `lcfirst(name)` under `data.win.system`. */
const WAZUH_SYSTEM: Record<string, string> = {
  EventID: 'eventID',
  Channel: 'channel',
  Computer: 'computer',
  ComputerName: 'computer',
  Level: 'level',
  EventRecordID: 'eventRecordID',
  Execution_ProcessID: 'processID',
  Execution_ThreadID: 'threadID',
  Security_UserID: 'securityUserID',
  Task: 'task',
  Opcode: 'opcode',
  Keywords: 'keywords',
  Version: 'version',
  Provider_Name: 'providerName',
  Provider_Guid: 'providerGuid',
  EventSourceName: 'eventSourceName',
  TimeCreated_SystemTime: 'systemTime',
};

/** EventData fields Wazuh moves or renames (sigma.md §5). */
const WAZUH_EVENTDATA: Record<string, string> = {
  // Sigma rules match the raw %%NNNN codes, which Wazuh keeps in auditPolicyChangesId.
  AuditPolicyChanges: 'auditPolicyChangesId',
};

/** evtx_dump JSON: System elements and their attributes. */
const EVTX_SYSTEM: Record<string, string[]> = {
  EventID: ['Event', 'System', 'EventID'],
  Channel: ['Event', 'System', 'Channel'],
  Computer: ['Event', 'System', 'Computer'],
  ComputerName: ['Event', 'System', 'Computer'],
  Level: ['Event', 'System', 'Level'],
  EventRecordID: ['Event', 'System', 'EventRecordID'],
  Task: ['Event', 'System', 'Task'],
  Opcode: ['Event', 'System', 'Opcode'],
  Keywords: ['Event', 'System', 'Keywords'],
  Version: ['Event', 'System', 'Version'],
  Provider_Name: ['Event', 'System', 'Provider', '#attributes', 'Name'],
  Provider_Guid: ['Event', 'System', 'Provider', '#attributes', 'Guid'],
  Execution_ProcessID: ['Event', 'System', 'Execution', '#attributes', 'ProcessID'],
  Execution_ThreadID: ['Event', 'System', 'Execution', '#attributes', 'ThreadID'],
  Security_UserID: ['Event', 'System', 'Security', '#attributes', 'UserID'],
  TimeCreated_SystemTime: ['Event', 'System', 'TimeCreated', '#attributes', 'SystemTime'],
};

/** Top-level fields of a Wazuh alert that have no dot to mark them as paths (rules converted from Wazuh's XML use them). */
const WAZUH_TOP_LEVEL = new Set(['full_log', 'location', 'previous_output']);

const lcfirst = (s: string) => (s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1));

/** The path of a Sigma field in an event of the given format. A dotted name is taken as a literal path. */
export function fieldPath(format: EventFormat, field: string): string[] {
  if (field.includes('.')) return field.split('.');
  if (format === 'wazuh' || format === 'wcs') {
    if (WAZUH_TOP_LEVEL.has(field)) return [field];
    const system = WAZUH_SYSTEM[field];
    if (system) return ['data', 'win', 'system', system];
    return ['data', 'win', 'eventdata', WAZUH_EVENTDATA[field] ?? lcfirst(field)];
  }
  return EVTX_SYSTEM[field] ?? ['Event', 'EventData', field];
}

/** evtx_dump writes an element that has attributes as {"#text": value, "#attributes": {…}}: use its value. */
export function elementValue(v: unknown): unknown {
  return v !== null && typeof v === 'object' && '#text' in v ? (v as Record<string, unknown>)['#text'] : v;
}

export function accessor(path: string[]): Accessor {
  return withPath(plainAccessor(path), path);
}

function plainAccessor(path: string[]): Accessor {
  switch (path.length) {
    case 1: {
      const [a] = path as [string];
      return (d) => elementValue(d[a]);
    }
    case 2: {
      const [a, b] = path as [string, string];
      return (d) => elementValue((d[a] as any)?.[b]);
    }
    case 3: {
      const [a, b, c] = path as [string, string, string];
      return (d) => elementValue((d[a] as any)?.[b]?.[c]);
    }
    case 4: {
      const [a, b, c, e] = path as [string, string, string, string];
      return (d) => elementValue((d[a] as any)?.[b]?.[c]?.[e]);
    }
    default:
      return (d) => {
        let cur: any = d;
        for (const k of path) {
          if (cur === null || typeof cur !== 'object') return undefined;
          cur = cur[k];
        }
        return elementValue(cur);
      };
  }
}

/**
 * The accessor of a Sigma field in one format. For evtx_dump events a field that is not in EventData is looked
 * up in UserData's single child element, where Windows puts the data of some events (e.g. 1102).
 */
export function fieldAccessor(format: EventFormat, field: string): Accessor {
  // An accessor holds no state: the rules that read a field share its reader (a few hundred Windows fields).
  return accessors.get(`${format}\u0000${field}`, () => buildAccessor(format, field));
}

const accessors = new Memo<Accessor>(10_000);

function buildAccessor(format: EventFormat, field: string): Accessor {
  if (format === 'wcs') return wcsAccessor(field);
  if (format === 'wazuh' && field.includes('.') && !isV4Path(field)) {
    // A Wazuh Common Schema name (source.ip, event.code, wazuh.rule.level) read from the 4.x alert.
    const read = v4Reader(field);
    if (read) return read as Accessor;
  }
  const path = fieldPath(format, field);
  const get = accessor(path);
  if (format !== 'evtx-json' || path[1] !== 'EventData') return get;
  return (d) => {
    const v = get(d);
    if (v !== undefined) return v;
    const user = (d.Event as any)?.UserData;
    if (user === null || typeof user !== 'object') return undefined;
    for (const k in user) return elementValue(user[k]?.[field]);
    return undefined;
  };
}

/**
 * A Sigma field on a Wazuh 5.x document: where its 4.x alert path lives in WCS (src/model/wcs.ts), or, for a
 * name that is no 4.x path (source.ip, wazuh.rule.level), that WCS path itself. A 4.x field WCS lacks reads as
 * absent; such rules are reported at load (`wcsGaps`).
 */
function wcsAccessor(field: string): Accessor {
  const v4 = fieldPath('wazuh', field).join('.');
  const read = wcsReader(v4);
  if (read) return read as Accessor;
  if (field.includes('.') && !isV4Path(field)) return accessor(field.split('.'));
  return () => undefined;
}

/**
 * What a missing value stands for, per format (sigma.md §5): Wazuh drops eventchannel values that are "-",
 * "(NULL)" or empty, so there an absent field matches a rule value that matches one of those; evtx_dump writes
 * an empty element as null, which matches ''.
 */
export function missingStandIns(format: EventFormat, field: string): { absent: string[]; nullValue: string[] } {
  if (format === 'wazuh' || format === 'wcs') {
    const path = fieldPath('wazuh', field);
    const eventchannel = path[0] === 'data' && path[1] === 'win';
    return { absent: eventchannel ? WINDOWS_EMPTY_VALUES : [], nullValue: [] };
  }
  return { absent: [], nullValue: [''] };
}

/** Text that Sigma keywords (field-less values) are matched against. */
export function keywordPaths(format: EventFormat): string[][] {
  if (format === 'wcs') return [['event', 'original'], ['message']];
  return format === 'wazuh' ? [['full_log'], ['data', 'win', 'system', 'message']] : [['Event', 'EventData', 'Data']];
}

/** Values Windows writes for "nothing" (and the empty value), which Wazuh drops (sigma.md §5). */
export const WINDOWS_EMPTY_VALUES = ['-', '(NULL)', ''];
