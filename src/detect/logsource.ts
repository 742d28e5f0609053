// Logsource gates: a rule applies only to events of its logsource. The table is the documented mapping
// (README "Logsources"); a logsource it does not know is rejected at load rather than applied to everything.
import type { EventFormat } from '../model/index.js';
import { UnsupportedError } from './sigma/values.js';

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

const any: Gate = () => true;

function windowsChannel(format: EventFormat): (d: Record<string, unknown>) => unknown {
  return format === 'wazuh'
    ? (d) => (d.data as any)?.win?.system?.channel
    : (d) => (d.Event as any)?.System?.Channel;
}

export function compileGate(ls: Logsource, format: EventFormat): Gate {
  const product = ls.product?.toLowerCase();
  const service = ls.service?.toLowerCase();
  if (ls.category) throw new UnsupportedError(`logsource category "${ls.category}"`);
  if (product === 'windows') {
    const channelOf = windowsChannel(format);
    if (!service) return format === 'wazuh' ? (d) => channelOf(d) !== undefined : any;
    const channel = WINDOWS_CHANNELS[service];
    if (!channel) throw new UnsupportedError(`logsource windows service "${ls.service}"`);
    const lower = channel.toLowerCase();
    return (d) => {
      const c = channelOf(d);
      return typeof c === 'string' && c.toLowerCase() === lower;
    };
  }
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
