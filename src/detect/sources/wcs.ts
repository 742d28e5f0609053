// Wazuh 5.x documents (Wazuh Common Schema, format `wcs`; src/model/wcs.ts holds the field table from 4.x alert
// paths). The Windows logsources read their channel through that table (windows.ts); the Linux and Wazuh
// logsources below were inferred from the 5.x samples (sshd events come through the `linux` integration's
// system-auth decoder with the process name; FIM findings from `wazuh-fim`). The other sources of this folder are
// mapped on 4.x alerts only: on 5.x documents their rules load and match nothing (README "Wazuh 5.x").
import { isV4Path, wcsReader } from '../../model/wcs.js';
import { accessor, type Accessor } from '../fields.js';
import { never, type Gate, type NormalLogsource, type Source } from './source.js';

const w = (d: Record<string, unknown>) => (d.wazuh as any) ?? {};

/** Keywords on a 5.x document: the original line and the message. */
export function wcsKeywordTexts(d: Record<string, unknown>): string[] {
  const out: string[] = [];
  const original = (d.event as any)?.original;
  if (typeof original === 'string') out.push(original);
  if (typeof d.message === 'string') out.push(d.message);
  return out;
}

function gate(ls: NormalLogsource): Gate | undefined {
  const { product, service, category } = ls;
  if (category) return undefined;
  if (product === 'linux') {
    if (service === 'sshd') return (d) => String((d.process as any)?.name ?? '').toLowerCase() === 'sshd';
    if (service === 'auth')
      return (d) => {
        const loc = w(d).protocol?.location;
        const decoders = w(d).integration?.decoders;
        return (Array.isArray(decoders) && decoders.includes('decoder/system-auth/0')) || (typeof loc === 'string' && /\/var\/log\/(auth\.log|secure)$/.test(loc));
      };
    if (!service) return (d) => w(d).integration?.name === 'linux' || String(w(d).protocol?.location ?? '').startsWith('/var/log/') || w(d).protocol?.location === 'journald';
    return undefined;
  }
  if (product === 'wazuh') {
    if (!service) return () => true;
    if (service === 'syscheck') return (d) => w(d).integration?.name === 'wazuh-fim' || (d.event as any)?.dataset === 'wazuh.fim';
  }
  return undefined;
}

/**
 * The 5.x counterpart of a 4.x source: the gate above where one is known, else a gate that matches nothing;
 * each field read where WCS keeps the 4.x alert path the 4.x source reads it from (src/model/wcs.ts).
 */
export function wcsSource(ls: NormalLogsource, v4: Source): Source {
  const g = gate(ls);
  return {
    name: v4.name,
    gate: g ?? never,
    field: (name) => onWcs(name, v4.field(name)), // a field the 4.x source refuses is refused on 5.x too
    keywords: wcsKeywordTexts,
  };
}

/**
 * Where WCS keeps a field a 4.x source reads with `get`: the WCS field of its alert path; for a WCS name written
 * as such (`source.ip`) that name; nothing for a field WCS lacks or one computed from the 4.x alert.
 */
function onWcs(name: string, get: Accessor): Accessor {
  if (get.path) return wcsReader(get.path.join('.')) ?? absent;
  return name.includes('.') && !isV4Path(name) ? accessor(name.split('.')) : absent;
}
const absent: Accessor = () => undefined;
