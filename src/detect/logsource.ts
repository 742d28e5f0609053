// Logsource gates: a rule applies only to events of its logsource. The table is the documented mapping
// (README "Logsources"); a logsource it does not know is rejected at load rather than applied to everything.
import type { EventFormat } from '../model/index.js';
import { isWindows, wcsReader } from '../model/wcs.js';
import { fieldAccessor } from './fields.js';
import { asNumber, UnsupportedError } from './sigma/values.js';

export interface Logsource {
  product?: string;
  service?: string;
  category?: string;
  definition?: string;
}

export type Gate = (data: Record<string, unknown>) => boolean;

/** Windows `service` → the event log channel it reads. */
export const WINDOWS_CHANNELS: Record<string, string> = {
  security: 'Security',
  system: 'System',
  application: 'Application',
  sysmon: 'Microsoft-Windows-Sysmon/Operational',
  powershell: 'Microsoft-Windows-PowerShell/Operational',
  'powershell-classic': 'Windows PowerShell',
  taskscheduler: 'Microsoft-Windows-TaskScheduler/Operational',
  'windefend': 'Microsoft-Windows-Windows Defender/Operational',
};

/**
 * Windows `category` → the channel and event ids that carry it. Sysmon categories follow Sysmon's event ids
 * (the mapping pySigma's Sysmon pipeline uses); PowerShell script and module logging are events 4104 and 4103.
 * Field names of these events are the EventData names, so the general field mapping holds.
 */
export const WINDOWS_CATEGORIES: Record<string, { channel: string; eventIds: number[] }> = {
  process_creation: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [1] },
  file_change: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [2] },
  network_connection: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [3] },
  sysmon_status: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [4, 16] },
  process_termination: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [5] },
  driver_load: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [6] },
  image_load: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [7] },
  create_remote_thread: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [8] },
  raw_access_thread: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [9] },
  process_access: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [10] },
  file_event: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [11] },
  registry_add: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [12] },
  registry_delete: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [12] },
  registry_set: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [13] },
  registry_rename: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [14] },
  registry_event: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [12, 13, 14] },
  create_stream_hash: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [15] },
  pipe_created: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [17, 18] },
  wmi_event: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [19, 20, 21] },
  dns_query: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [22] },
  file_delete: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [23, 26] },
  clipboard_capture: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [24] },
  process_tampering: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [25] },
  file_executable_detected: { channel: WINDOWS_CHANNELS.sysmon!, eventIds: [29] },
  ps_module: { channel: WINDOWS_CHANNELS.powershell!, eventIds: [4103] },
  ps_script: { channel: WINDOWS_CHANNELS.powershell!, eventIds: [4104] },
};

const any: Gate = () => true;

function windowsEventId(format: EventFormat): (d: Record<string, unknown>) => number {
  const get = fieldAccessor(format, 'EventID');
  return (d) => asNumber(get(d));
}

function windowsCategory(category: string, service: string | undefined, format: EventFormat): Gate {
  const spec = WINDOWS_CATEGORIES[category];
  if (!spec) throw new UnsupportedError(`logsource windows category "${category}"`);
  if (service !== undefined && WINDOWS_CHANNELS[service] !== spec.channel)
    throw new UnsupportedError(`logsource windows category "${category}" with service "${service}"`);
  const channelOf = windowsChannel(format);
  const idOf = windowsEventId(format);
  const lower = spec.channel.toLowerCase();
  const ids = spec.eventIds;
  return (d) => {
    const c = channelOf(d);
    return typeof c === 'string' && c.toLowerCase() === lower && ids.includes(idOf(d));
  };
}

function windowsChannel(format: EventFormat): (d: Record<string, unknown>) => unknown {
  if (format === 'wcs') return wcsReader('data.win.system.channel')!;
  return format === 'wazuh'
    ? (d) => (d.data as any)?.win?.system?.channel
    : (d) => (d.Event as any)?.System?.Channel;
}

/**
 * Linux and Wazuh logsources on Wazuh 5.x documents (inferred from the 5.x samples: sshd events come through the
 * `linux` integration's system-auth decoder with the process name; FIM findings from `wazuh-fim`).
 */
function wcsGate(product: string | undefined, service: string | undefined, ls: Logsource): Gate {
  const w = (d: Record<string, unknown>) => (d.wazuh as any) ?? {};
  if (product === 'linux') {
    if (service === 'sshd') return (d) => String((d.process as any)?.name ?? '').toLowerCase() === 'sshd';
    if (service === 'auth')
      return (d) => {
        const loc = w(d).protocol?.location;
        const decoders = w(d).integration?.decoders;
        return (Array.isArray(decoders) && decoders.includes('decoder/system-auth/0')) || (typeof loc === 'string' && /\/var\/log\/(auth\.log|secure)$/.test(loc));
      };
    if (!service) return (d) => w(d).integration?.name === 'linux' || String(w(d).protocol?.location ?? '').startsWith('/var/log/') || w(d).protocol?.location === 'journald';
    throw new UnsupportedError(`logsource linux service "${ls.service}"`);
  }
  if (product === 'wazuh') {
    if (!service) return any;
    if (service === 'syscheck') return (d) => w(d).integration?.name === 'wazuh-fim' || (d.event as any)?.dataset === 'wazuh.fim';
    throw new UnsupportedError(`logsource wazuh service "${ls.service}"`);
  }
  throw new UnsupportedError(`logsource product "${ls.product ?? '(none)'}"`);
}

export function compileGate(ls: Logsource, format: EventFormat): Gate {
  const product = ls.product?.toLowerCase();
  const service = ls.service?.toLowerCase();
  const category = ls.category?.toLowerCase();
  if (category && product === 'windows') return windowsCategory(category, service, format);
  if (category) throw new UnsupportedError(`logsource category "${ls.category}"${product ? ` of product "${ls.product}"` : ''}`);
  if (product === 'windows') {
    const channelOf = windowsChannel(format);
    if (!service) return format === 'wazuh' ? (d) => channelOf(d) !== undefined : format === 'wcs' ? isWindows : any;
    const channel = WINDOWS_CHANNELS[service];
    if (!channel) throw new UnsupportedError(`logsource windows service "${ls.service}"`);
    const lower = channel.toLowerCase();
    return (d) => {
      const c = channelOf(d);
      return c === channel || (typeof c === 'string' && c.toLowerCase() === lower);
    };
  }
  if (format === 'wcs') return wcsGate(product, service, ls);
  if (format !== 'wazuh') return () => false;
  if (product === 'linux') {
    if (service === 'sshd')
      return (d) => (d.decoder as any)?.parent === 'sshd' || (d.decoder as any)?.name === 'sshd' || (d.predecoder as any)?.program_name === 'sshd';
    if (service === 'auth') return (d) => typeof d.location === 'string' && /\/var\/log\/(auth\.log|secure)$/.test(d.location);
    if (!service) return (d) => d.predecoder !== undefined || (typeof d.location === 'string' && d.location.startsWith('/var/log/'));
    throw new UnsupportedError(`logsource linux service "${ls.service}"`);
  }
  // `product: wazuh`: Vigil's own logsource for rules over any Wazuh alert (rule.level, syscheck, …).
  if (product === 'wazuh') {
    if (!service) return any;
    if (service === 'syscheck') return (d) => d.syscheck !== undefined;
    throw new UnsupportedError(`logsource wazuh service "${ls.service}"`);
  }
  throw new UnsupportedError(`logsource product "${ls.product ?? '(none)'}"`);
}
