// What an analyst reads of one event in an evidence table, pulled from the fields each alert kind carries.
import type { Event } from '../model/index.js';
import { alertView } from '../model/wcs.js';
import { logonFailure } from '../model/wording.js';

export interface EvidenceRow {
  eventId: string;
  time: number;
  user?: string;
  sourceIp?: string;
  host?: string;
  detail?: string;
  /** Why a logon failed, in words (`bad password`), from the Windows status and sub-status codes. */
  status?: string;
  /** The Windows event id (`4625`), when the event is a Windows event. */
  windowsEventId?: string;
  /** Wazuh's rule id and description, when the event is a Wazuh alert. */
  wazuhRule?: string;
  description?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

export function evidenceRow(e: Event): EvidenceRow {
  const d = alertView(e) as any;
  if (e.format === 'evtx-json') {
    const ed = d.Event?.EventData ?? {};
    const status = logonFailure(str(ed.Status), str(ed.SubStatus));
    const id = str(d.Event?.System?.EventID);
    return {
      eventId: e.id,
      time: e.time,
      user: str(ed.TargetUserName) ?? str(ed.SubjectUserName),
      sourceIp: ipOf(ed.IpAddress),
      host: str(d.Event?.System?.Computer),
      detail: [`EventID ${id ?? '?'}`, ...(status ? [status] : [])].join(', '),
      status,
      windowsEventId: id,
    };
  }
  const win = d.data?.win;
  if (win) {
    const ed = win.eventdata ?? {};
    const id = str(win.system?.eventID);
    const status = logonFailure(str(ed.status), str(ed.subStatus));
    const bits = [`EventID ${id ?? '?'}`];
    if (ed.logonType) bits.push(`logon type ${ed.logonType}`);
    if (status) bits.push(status);
    if (ed.workstationName) bits.push(`workstation ${ed.workstationName}`);
    return {
      eventId: e.id,
      time: e.time,
      user: str(ed.targetUserName) ?? str(ed.subjectUserName),
      sourceIp: ipOf(ed.ipAddress),
      host: str(d.agent?.name) ?? str(win.system?.computer),
      detail: bits.join(', '),
      status,
      windowsEventId: id,
      wazuhRule: str(d.rule?.id),
      description: str(d.rule?.description),
    };
  }
  return {
    eventId: e.id,
    time: e.time,
    user: str(d.data?.srcuser) ?? str(d.data?.dstuser) ?? str(d.syscheck?.uname_after),
    sourceIp: ipOf(d.data?.srcip),
    host: str(d.agent?.name),
    detail: str(d.syscheck?.path) ? `${str(d.syscheck?.event) ?? 'changed'}: ${d.syscheck.path}` : str(d.rule?.description),
    wazuhRule: str(d.rule?.id),
    description: str(d.rule?.description),
  };
}

/** Windows writes `-` (or `::1`-style locals) where there was no network address: not an indicator. */
function ipOf(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined || s === '-' ? undefined : s;
}

/** Distinct non-empty values, in first-seen order. */
export function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
