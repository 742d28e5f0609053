// Windows event channels as Wazuh's eventchannel decoder writes them (`data.win.system.*`, `data.win.eventdata.*`;
// wazuh/wazuh src/analysisd/decoders/winevtchannel.c, shared/reference/sigma.md §5), and evtx_dump JSON.
// `service` is the channel (pySigma's windows_logsource_mapping); `category` the Sysmon event ids (pySigma's Sysmon
// pipeline) or the PowerShell events. Wazuh reads any channel named in a <localfile> with log_format eventchannel.
import type { EventFormat } from '../../model/index.js';
import { isWindows, wcsReader } from '../../model/wcs.js';
import { fieldAccessor, missingStandIns } from '../fields.js';
import { asNumber, UnsupportedError } from '../sigma/values.js';
import { wcsKeywordTexts } from './wcs.js';
import { evtxKeywordTexts, keywordTexts, type Gate, type NormalLogsource, type Source, type SourceSpec } from './source.js';

/** Windows `service` → the event log channel(s) it reads. */
export const WINDOWS_CHANNELS: Record<string, string | string[]> = {
  security: 'Security',
  system: 'System',
  application: 'Application',
  sysmon: 'Microsoft-Windows-Sysmon/Operational',
  powershell: ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'],
  'powershell-classic': 'Windows PowerShell',
  taskscheduler: 'Microsoft-Windows-TaskScheduler/Operational',
  windefend: 'Microsoft-Windows-Windows Defender/Operational',
  'codeintegrity-operational': 'Microsoft-Windows-CodeIntegrity/Operational',
  'appxdeployment-server': 'Microsoft-Windows-AppXDeploymentServer/Operational',
  'firewall-as': 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall',
  'bits-client': 'Microsoft-Windows-Bits-Client/Operational',
  'msexchange-management': 'MSExchange Management',
  'dns-client': 'Microsoft-Windows-DNS Client Events/Operational',
  'iis-configuration': 'Microsoft-IIS-Configuration/Operational',
  ntlm: 'Microsoft-Windows-NTLM/Operational',
  wmi: 'Microsoft-Windows-WMI-Activity/Operational',
  'security-mitigations': ['Microsoft-Windows-Security-Mitigations/KernelMode', 'Microsoft-Windows-Security-Mitigations/UserMode'],
  'dns-server': 'DNS Server',
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'driver-framework': 'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
  openssh: 'OpenSSH/Operational',
  'shell-core': 'Microsoft-Windows-Shell-Core/Operational',
  'smbclient-security': 'Microsoft-Windows-SmbClient/Security',
  'smbclient-connectivity': 'Microsoft-Windows-SmbClient/Connectivity',
  'printservice-admin': 'Microsoft-Windows-PrintService/Admin',
  'printservice-operational': 'Microsoft-Windows-PrintService/Operational',
  'terminalservices-localsessionmanager': 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
  'lsa-server': 'Microsoft-Windows-LSA/Operational',
  'diagnosis-scripted': 'Microsoft-Windows-Diagnosis-Scripted/Operational',
  capi2: 'Microsoft-Windows-CAPI2/Operational',
  'certificateservicesclient-lifecycle-system': 'Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational',
  bitlocker: 'Microsoft-Windows-BitLocker/BitLocker Management',
  vhdmp: 'Microsoft-Windows-VHDMP/Operational',
  'appmodel-runtime': 'Microsoft-Windows-AppModel-Runtime/Admin',
  'kernel-shimengine': ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic'],
  'hyper-v-worker': 'Microsoft-Windows-Hyper-V-Worker',
  'microsoft-servicebus-client': 'Microsoft-ServiceBus-Client',
  'appxpackaging-om': 'Microsoft-Windows-AppxPackaging/Operational',
  ntfs: 'Microsoft-Windows-Ntfs/Operational',
  'smbserver-connectivity': 'Microsoft-Windows-SMBServer/Connectivity',
  'smbserver-security': 'Microsoft-Windows-SMBServer/Security',
};

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const POWERSHELL = WINDOWS_CHANNELS.powershell as string[];

/**
 * Windows `category` → the channel(s) and event ids that carry it. Sysmon categories follow Sysmon's event ids
 * (pySigma's Sysmon pipeline); PowerShell script and module logging are 4104 and 4103; the classic PowerShell
 * log's engine and provider start are 400 and 600 ("Windows PowerShell" channel).
 */
export const WINDOWS_CATEGORIES: Record<string, { channel: string | string[]; eventIds: number[] }> = {
  process_creation: { channel: SYSMON, eventIds: [1] },
  file_change: { channel: SYSMON, eventIds: [2] },
  network_connection: { channel: SYSMON, eventIds: [3] },
  sysmon_status: { channel: SYSMON, eventIds: [4, 16] },
  sysmon_error: { channel: SYSMON, eventIds: [255] },
  process_termination: { channel: SYSMON, eventIds: [5] },
  driver_load: { channel: SYSMON, eventIds: [6] },
  image_load: { channel: SYSMON, eventIds: [7] },
  create_remote_thread: { channel: SYSMON, eventIds: [8] },
  raw_access_thread: { channel: SYSMON, eventIds: [9] },
  process_access: { channel: SYSMON, eventIds: [10] },
  file_event: { channel: SYSMON, eventIds: [11] },
  registry_add: { channel: SYSMON, eventIds: [12] },
  registry_delete: { channel: SYSMON, eventIds: [12] },
  registry_set: { channel: SYSMON, eventIds: [13] },
  registry_rename: { channel: SYSMON, eventIds: [14] },
  registry_event: { channel: SYSMON, eventIds: [12, 13, 14] },
  create_stream_hash: { channel: SYSMON, eventIds: [15] },
  pipe_created: { channel: SYSMON, eventIds: [17, 18] },
  wmi_event: { channel: SYSMON, eventIds: [19, 20, 21] },
  dns_query: { channel: SYSMON, eventIds: [22] },
  file_delete: { channel: SYSMON, eventIds: [23, 26] },
  clipboard_capture: { channel: SYSMON, eventIds: [24] },
  process_tampering: { channel: SYSMON, eventIds: [25] },
  file_executable_detected: { channel: SYSMON, eventIds: [29] },
  ps_module: { channel: POWERSHELL, eventIds: [4103] },
  ps_script: { channel: POWERSHELL, eventIds: [4104] },
  ps_classic_start: { channel: 'Windows PowerShell', eventIds: [400] },
  ps_classic_provider_start: { channel: 'Windows PowerShell', eventIds: [600] },
  ps_classic_script: { channel: 'Windows PowerShell', eventIds: [800] },
};

/** Categories SigmaHQ defines on ETW providers, which are not event log channels: Wazuh cannot read them. */
const ETW_CATEGORIES: Record<string, string> = {
  file_access: 'the Microsoft-Windows-Kernel-File ETW provider, not an event log channel Wazuh reads',
  file_rename: 'the Microsoft-Windows-Kernel-File ETW provider, not an event log channel Wazuh reads',
};

/**
 * Services whose channel is an analytic or debug log: Wazuh's eventchannel reader subscribes to channels
 * (EvtSubscribe), which analytic and debug logs do not allow.
 */
const UNREADABLE_SERVICES: Record<string, string> = {
  ldap: 'Microsoft-Windows-LDAP-Client/Debug',
  ldap_debug: 'Microsoft-Windows-LDAP-Client/Debug',
  'dns-server-analytic': 'Microsoft-Windows-DNS-Server/Analytical',
};

const lowerList = (c: string | string[]) => (Array.isArray(c) ? c : [c]).map((x) => x.toLowerCase());

function channelOf(format: EventFormat): (d: Record<string, unknown>) => unknown {
  if (format === 'wcs') return wcsReader('data.win.system.channel')!;
  return format === 'wazuh' ? (d) => (d.data as any)?.win?.system?.channel : (d) => (d.Event as any)?.System?.Channel;
}

function channelGate(channels: string | string[], format: EventFormat): Gate {
  const get = channelOf(format);
  const wanted = lowerList(channels);
  if (wanted.length === 1) {
    const [one] = wanted as [string];
    return (d) => {
      const c = get(d);
      return typeof c === 'string' && (c === channels || c.toLowerCase() === one);
    };
  }
  return (d) => {
    const c = get(d);
    return typeof c === 'string' && wanted.includes(c.toLowerCase());
  };
}

function windowsSource(name: string, gate: Gate, format: EventFormat): Source {
  return {
    name,
    gate,
    field: (f) => fieldAccessor(format, f),
    absentMeans: (f) => missingStandIns(format, f).absent,
    nullMeans: (f) => missingStandIns(format, f).nullValue,
    keywords: format === 'wazuh' ? keywordTexts : format === 'wcs' ? wcsKeywordTexts : evtxKeywordTexts,
  };
}

export const windows: SourceSpec = {
  resolve(ls: NormalLogsource, format: EventFormat): Source | undefined {
    if (ls.product !== 'windows') return undefined;
    const { service, category } = ls;
    if (category) {
      if (category === 'webserver') return undefined; // IIS access logs: sources/web.ts
      const why = ETW_CATEGORIES[category];
      if (why) throw new UnsupportedError(`logsource windows category "${category}": ${why}`);
      const spec = WINDOWS_CATEGORIES[category];
      if (!spec) throw new UnsupportedError(`logsource windows category "${category}"`);
      if (service !== undefined && lowerList(WINDOWS_CHANNELS[service] ?? []).join() !== lowerList(spec.channel).join())
        throw new UnsupportedError(`logsource windows category "${category}" with service "${service}"`);
      const inChannel = channelGate(spec.channel, format);
      const get = fieldAccessor(format, 'EventID');
      const ids = spec.eventIds;
      return windowsSource(`Windows ${category}`, (d) => inChannel(d) && ids.includes(asNumber(get(d))), format);
    }
    if (!service) {
      const get = channelOf(format);
      return windowsSource('Windows (any channel)', format === 'wazuh' ? (d) => get(d) !== undefined : format === 'wcs' ? isWindows : () => true, format);
    }
    const unreadable = UNREADABLE_SERVICES[service];
    if (unreadable)
      throw new UnsupportedError(`logsource windows service "${service}": ${unreadable} is an analytic/debug log, which Wazuh's eventchannel subscription cannot read`);
    const channels = WINDOWS_CHANNELS[service];
    if (!channels) throw new UnsupportedError(`logsource windows service "${service}"`);
    return windowsSource(`Windows ${service}`, channelGate(channels, format), format);
  },
};
