// Network sensors and devices as Wazuh decodes them.
// - Zeek JSON logs: Wazuh's JSON decoder keeps every key under `data.*` (`query`, `answers`, `id.orig_h` …;
//   a dotted Zeek key becomes nested in alerts.json); the log is known by the OwlH tag `data.bro_engine` or by
//   the file Wazuh read (`location` …/dns.log). Wazuh ships rules for the CONN, DNS, SSH and SSL logs only
//   (ruleset/rules/0635-owlh-zeek_rules.xml, samples ruleset/testing/tests/owlh.ini @v4.14.7); the other logs
//   need a local rule for Wazuh to alert on them.
// - DNS (`category: dns`): Zeek's dns.log as above, and Suricata EVE `event_type: dns` (JSON decoder: `data.dns.*`).
// - Firewalls (`category: firewall`): Wazuh's firewall decoders' static fields (`data.dstport`, `data.action`).
// - Cisco IOS, Juniper JunOS: their syslog decoders (0065-cisco-ios_decoders.xml, 0490-junos_decoders.xml); the
//   SigmaHQ rules for them are keyword rules over the line.
// - FortiGate: its key=value decoders write `data.cfgpath`, `data.action`, … (0100-fortigate_decoders.xml).
import { accessor, type Accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';
import { decodedBy, fixedFields, jsonAccessor, jsonFields, keywordTexts, type Gate, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const data = (d: Record<string, unknown>) => (d.data ?? {}) as Record<string, any>;
const ZEEK_LOGS = ['conn', 'dns', 'http', 'ssl', 'ssh', 'smb_files', 'smb_mapping', 'dce_rpc', 'kerberos', 'rdp', 'x509', 'files', 'ntlm', 'notice', 'weird', 'dhcp', 'ftp', 'smtp'];

function zeekLog(log: string): Gate {
  const engine = log.toUpperCase();
  const file = new RegExp(`(^|/)${log}(\\.\\d\\d:\\d\\d:\\d\\d-\\d\\d:\\d\\d:\\d\\d)?\\.log$`);
  return (d) => data(d).bro_engine === engine || data(d)._path === log || (d.decoder as any)?.name === 'json' && typeof d.location === 'string' && file.test(d.location);
}
const zeekSource = (log: string): Source => ({ name: `Zeek ${log}`, gate: zeekLog(log), field: jsonFields(`zeek ${log}`, ['data']), keywords: keywordTexts });

const suricataDns: Gate = (d) => data(d).event_type === 'dns' && typeof data(d).dns === 'object';
/** Sigma's dns category names → Zeek dns.log keys, or Suricata EVE dns keys. */
const DNS_FIELDS: Record<string, [string[], string[]]> = {
  query: [['data', 'query'], ['data', 'dns', 'rrname']],
  record_type: [['data', 'qtype_name'], ['data', 'dns', 'rrtype']],
  answer: [['data', 'answers'], ['data', 'dns', 'answers', 'rdata']],
  src_ip: [['data', 'id', 'orig_h'], ['data', 'src_ip']],
  dst_ip: [['data', 'id', 'resp_h'], ['data', 'dest_ip']],
};
const zeekDns = zeekLog('dns');
function dnsField(name: string): Accessor {
  const paths = DNS_FIELDS[name];
  if (!paths) throw new UnsupportedError(`field "${name}" of category dns: only ${Object.keys(DNS_FIELDS).join(', ')} are mapped to Zeek and Suricata`);
  const zeek = jsonAccessor(paths[0]);
  const eve = accessor(paths[1]);
  const eveAnswers = name === 'answer' ? accessor(['data', 'dns', 'grouped']) : undefined;
  return (d) => {
    if (suricataDns(d)) {
      const v = eve(d);
      if (v !== undefined || !eveAnswers) return v;
      const g = eveAnswers(d) as Record<string, unknown> | undefined;
      return g && typeof g === 'object' ? Object.values(g).flat() : undefined;
    }
    return zeek(d);
  };
}
const dns: Source = { name: 'DNS (Zeek, Suricata)', gate: (d) => zeekDns(d) || suricataDns(d), field: dnsField, keywords: keywordTexts };

const FIREWALL_FIELDS: Record<string, Accessor> = {
  src_ip: accessor(['data', 'srcip']),
  dst_ip: accessor(['data', 'dstip']),
  src_port: accessor(['data', 'srcport']),
  dst_port: accessor(['data', 'dstport']),
  action: accessor(['data', 'action']),
  protocol: accessor(['data', 'protocol']),
};
const firewall: Source = {
  name: 'Firewall',
  gate: (d) => Array.isArray((d.rule as any)?.groups) && (d.rule as any).groups.includes('firewall'),
  field: fixedFields('category firewall', FIREWALL_FIELDS, "Wazuh's firewall decoders write srcip, dstip, srcport, dstport, protocol and action"),
  keywords: keywordTexts,
};

const keywordOnly = (name: string, gate: Gate): Source => ({
  name,
  gate,
  field: (f) => {
    throw new UnsupportedError(`field "${f}" of ${name}: only keywords over the syslog line are mapped`);
  },
  keywords: keywordTexts,
});
const cisco = keywordOnly('Cisco IOS', decodedBy(['cisco-ios']));
const juniper = keywordOnly('Juniper JunOS', (d) => /^junos/.test(String((d.decoder as any)?.parent ?? (d.decoder as any)?.name ?? '')));

const isFortigate = (d: Record<string, unknown>) => /^fortigate-firewall/.test(String((d.decoder as any)?.parent ?? (d.decoder as any)?.name ?? ''));
const fortigateEvent: Source = {
  name: 'FortiGate event log',
  gate: (d) => isFortigate(d) && data(d).type === 'event',
  field: jsonFields('fortigate', ['data']),
  keywords: keywordTexts,
};

export const networkSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product === 'zeek' && !ls.category && ls.service) return ZEEK_LOGS.includes(ls.service) ? zeekSource(ls.service) : undefined;
    if (ls.category === 'dns' && !ls.product && !ls.service) return dns;
    if (ls.category === 'firewall' && !ls.product && !ls.service) return firewall;
    if (ls.product === 'cisco' && !ls.category && ls.service === 'duo') throw new UnsupportedError('logsource product "cisco", service "duo": Wazuh has no Cisco Duo module');
    if (ls.product === 'cisco' && !ls.category) return cisco;
    if (ls.product === 'juniper' && !ls.category) return juniper;
    if (ls.product === 'fortigate' && ls.service === 'event' && !ls.category) return fortigateEvent;
    if (ls.product === 'suricata' && !ls.category && !ls.service)
      return { name: 'Suricata EVE', gate: (d) => typeof data(d).event_type === 'string' && typeof data(d).flow_id !== 'undefined', field: jsonFields('suricata', ['data']), keywords: keywordTexts };
    return undefined;
  },
};
