// The Wazuh sources Vigil maps Sigma logsources to (README "Logsources"), in the order they are asked. The first
// source that knows a logsource answers; one that none knows is refused, named.
import type { EventFormat } from '../../model/index.js';
import { Memo } from '../memo.js';
import { UnsupportedError } from '../sigma/values.js';
import { auditdSources } from './auditd.js';
import { awsSources } from './aws.js';
import { azureSources } from './azure.js';
import { dockerSources } from './docker.js';
import { gcpSources } from './gcp.js';
import { githubSources } from './github.js';
import { linux } from './linux.js';
import { m365Sources } from './m365.js';
import { networkSources } from './network.js';
import { never, type Logsource, type NormalLogsource, type Source, type SourceSpec } from './source.js';
import { wazuhSources } from './wazuh.js';
import { wcsSource } from './wcs.js';
import { web } from './web.js';
import { windows } from './windows.js';

export type { Gate, Logsource, Source } from './source.js';

const SOURCES: SourceSpec[] = [windows, auditdSources, linux, web, awsSources, azureSources, gcpSources, m365Sources, githubSources, dockerSources, networkSources, wazuhSources];

/** Products SigmaHQ writes rules for that Wazuh has no module or decoder for. */
const NO_WAZUH_SOURCE: Record<string, string> = {
  okta: 'Wazuh has no Okta module',
  macos: 'Wazuh 4.x decodes only a few macOS unified-log messages, not the process, file and network events these rules need',
  huawei: 'no Wazuh decoder for Huawei router (VRP) logs',
  onelogin: 'Wazuh has no OneLogin module',
  bitbucket: 'Wazuh has no Bitbucket module',
  kubernetes: 'Wazuh has no Kubernetes audit module',
  jvm: 'no Wazuh decoder for these application logs',
  nodejs: 'no Wazuh decoder for these application logs',
  python: 'no Wazuh decoder for these application logs',
  ruby_on_rails: 'no Wazuh decoder for these application logs',
  spring: 'no Wazuh decoder for these application logs',
  sql: 'no Wazuh decoder for these application logs',
  django: 'no Wazuh decoder for these application logs',
  velocity: 'no Wazuh decoder for these application logs',
  opencanary: 'no Wazuh decoder for OpenCanary',
  modsecurity: 'no field mapping for ModSecurity audit logs',
  rpc_firewall: 'no Wazuh decoder for RPC Firewall logs',
};

/** Product-neutral categories SigmaHQ writes rules for that no Wazuh source stands for. */
const NO_WAZUH_CATEGORY: Record<string, string> = {
  antivirus: 'product-neutral antivirus detections; Wazuh decodes each antivirus in its own format (ClamAV: product linux, service clamav)',
  database: 'no Wazuh decoder for database audit logs',
};

const lc = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v === undefined || v === null ? undefined : String(v).toLowerCase());

function describe(ls: NormalLogsource): string {
  return Object.entries(ls).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} "${v}"`).join(', ') || '(empty)';
}

/**
 * The source of a logsource in one input format; throws UnsupportedError naming a logsource Vigil cannot see.
 * Sources hold no state between calls, so rules of the same logsource share theirs (SigmaHQ's 2,400 Windows rules
 * name about 150 logsources), a refusal remembered with it.
 */
export function resolveSource(logsource: Logsource, format: EventFormat): Source {
  const ls: NormalLogsource = { product: lc(logsource.product), service: lc(logsource.service), category: lc(logsource.category) };
  const id = `${format}\u0000${ls.product ?? '\u0001'}\u0000${ls.service ?? '\u0001'}\u0000${ls.category ?? '\u0001'}`;
  return resolved.get(id, () => resolveNormal(ls, format));
}

const resolved = new Memo<Source>(5_000);

function resolveNormal(ls: NormalLogsource, format: EventFormat): Source {
  for (const spec of SOURCES) {
    // Windows is mapped per format (eventchannel, evtx_dump, WCS); the other sources on their 4.x alerts.
    const windowsFormat = ls.product === 'windows' && spec === windows;
    const s = spec.resolve(ls, windowsFormat ? format : 'wazuh');
    if (!s) continue;
    if (format === 'wazuh' || windowsFormat) return s;
    // evtx_dump input holds Windows events only; Wazuh 5.x documents: see wcs.ts.
    return format === 'wcs' ? wcsSource(ls, s) : { ...s, gate: never };
  }
  const why = ls.product ? NO_WAZUH_SOURCE[ls.product] : ls.category && !ls.service ? NO_WAZUH_CATEGORY[ls.category] : undefined;
  throw new UnsupportedError(`logsource ${describe(ls)}${why ? `: ${why}` : ''}`);
}
