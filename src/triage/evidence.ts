// What an analyst reads of one event in an evidence table, pulled from the fields each alert kind carries.
import type { Event } from '../model/index.js';
import { alertView } from '../model/wcs.js';

export interface EvidenceRow {
  eventId: string;
  time: number;
  user?: string;
  sourceIp?: string;
  host?: string;
  detail?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

export function evidenceRow(e: Event): EvidenceRow {
  const d = alertView(e) as any;
  if (e.format === 'evtx-json') {
    const ed = d.Event?.EventData ?? {};
    return {
      eventId: e.id,
      time: e.time,
      user: str(ed.TargetUserName) ?? str(ed.SubjectUserName),
      sourceIp: str(ed.IpAddress),
      host: str(d.Event?.System?.Computer),
      detail: `EventID ${str(d.Event?.System?.EventID) ?? '?'}`,
    };
  }
  const win = d.data?.win;
  if (win) {
    const ed = win.eventdata ?? {};
    const bits = [`EventID ${str(win.system?.eventID) ?? '?'}`];
    if (ed.logonType) bits.push(`logon type ${ed.logonType}`);
    if (ed.subStatus ?? ed.status) bits.push(`status ${ed.subStatus ?? ed.status}`);
    if (ed.workstationName) bits.push(`workstation ${ed.workstationName}`);
    return {
      eventId: e.id,
      time: e.time,
      user: str(ed.targetUserName) ?? str(ed.subjectUserName),
      sourceIp: str(ed.ipAddress),
      host: str(d.agent?.name) ?? str(win.system?.computer),
      detail: bits.join(', '),
    };
  }
  return {
    eventId: e.id,
    time: e.time,
    user: str(d.data?.srcuser) ?? str(d.data?.dstuser) ?? str(d.syscheck?.uname_after),
    sourceIp: str(d.data?.srcip),
    host: str(d.agent?.name),
    detail: str(d.syscheck?.path) ? `${str(d.syscheck?.event) ?? 'changed'}: ${d.syscheck.path}` : str(d.rule?.description),
  };
}

/** Distinct non-empty values, in first-seen order. */
export function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
