// Linux syslog sources and file events. Syslog lines keep their text in full_log (what keyword rules search) and
// the predecoder's `predecoder.program_name`; Wazuh's regex decoders write only their static fields
// (`data.srcip`, `data.srcuser`, `data.dstuser`, … : the decoder <order> names of ruleset/decoders, e.g.
// 0310-ssh_decoders.xml, 0370-vsftpd_decoders.xml, 0075-clamav_decoders.xml @v4.14.7).
// File events (`category: file_event`) are Wazuh's file integrity monitoring: a file added or modified under a
// monitored directory (rules 554 / 550, ruleset/rules/0015-ossec_rules.xml), with the process that wrote it in
// `syscheck.audit.*` when the directory is monitored with whodata.
import { accessor, type Accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';
import { decodedBy, decoderNeedle, fixedFields, keywordTexts, programName, type Gate, type NormalLogsource, type Source, type SourceSpec } from './source.js';

/** Static fields of Wazuh's regex decoders (the names a decoder's <order> may use). */
const STATIC = ['srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'srcuser', 'dstuser', 'user', 'id', 'status', 'url', 'data', 'extra_data', 'system_name'];
const STATIC_FIELDS: Record<string, Accessor> = Object.fromEntries(STATIC.map((f) => [f, accessor(['data', f])]));
const SYSLOG_WHY = `Wazuh's syslog decoders write only ${STATIC.join(', ')} (write another field as its alert path, e.g. data.srcip)`;

function syslogSource(name: string, gate: Gate): Source {
  return { name, gate, field: fixedFields(name, STATIC_FIELDS, SYSLOG_WHY), keywords: keywordTexts };
}

const programIs = (...names: string[]): Gate => {
  const set = new Set(names);
  return (d) => {
    const p = programName(d);
    return p !== undefined && set.has(p);
  };
};
const either = (a: Gate, b: Gate): Gate => (d) => a(d) || b(d);

const SERVICES: Record<string, Source> = {
  sshd: syslogSource('Linux sshd', (d) => (d.decoder as any)?.parent === 'sshd' || (d.decoder as any)?.name === 'sshd' || programName(d) === 'sshd'),
  auth: syslogSource('Linux auth log', (d) => typeof d.location === 'string' && /\/var\/log\/(auth\.log|secure)$/.test(d.location)),
  syslog: syslogSource('Linux syslog', (d) => d.predecoder !== undefined),
  vsftpd: syslogSource('vsftpd', either(decodedBy(['vsftpd']), programIs('vsftpd'))),
  cron: syslogSource('cron', programIs('cron', 'CRON', 'crond')),
  clamav: syslogSource('ClamAV', either(decodedBy(['clamd', 'freshclam']), programIs('clamd', 'freshclam', 'clamav-milter'))),
  // Wazuh's sudo and su decoders take every line of those programs (0320-sudo_decoders.xml, 0315-su_decoders.xml).
  sudo: { ...syslogSource('sudo', decodedBy(['sudo'])), key: 'decoder:sudo', needle: decoderNeedle('sudo') },
  su: { ...syslogSource('su', decodedBy(['su'])), key: 'decoder:su', needle: decoderNeedle('su') },
};

const anyLinux = syslogSource('Linux (syslog and log files)', (d) => d.predecoder !== undefined || (typeof d.location === 'string' && d.location.startsWith('/var/log/')));

const isFim = (d: Record<string, unknown>) => {
  const s = d.syscheck as any;
  return s !== undefined && typeof s.path === 'string' && s.path.startsWith('/') && (s.event === 'added' || s.event === 'modified');
};
const FILE_FIELDS: Record<string, Accessor> = {
  TargetFilename: accessor(['syscheck', 'path']),
  Image: accessor(['syscheck', 'audit', 'process', 'name']),
  ProcessId: accessor(['syscheck', 'audit', 'process', 'id']),
  User: accessor(['syscheck', 'audit', 'user', 'name']),
};
const fileEvent: Source = {
  name: 'Linux file_event (Wazuh FIM)',
  gate: isFim,
  key: 'syscheck',
  needle: '"syscheck"\\s*:',
  field: fixedFields('linux file_event', FILE_FIELDS, 'Wazuh FIM writes the path and, with whodata, the process and user (syscheck.*)'),
  keywords: keywordTexts,
};

export const linux: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'linux') return undefined;
    if (ls.category) {
      if (ls.service) return undefined;
      if (ls.category === 'file_event') return fileEvent;
      if (ls.category === 'network_connection')
        throw new UnsupportedError('logsource linux category "network_connection": Wazuh 4.x has no decoder for Sysmon for Linux, and its auditd decoder does not decode connect() addresses');
      return undefined;
    }
    if (!ls.service) return anyLinux;
    return SERVICES[ls.service];
  },
};
