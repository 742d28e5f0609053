// `product: wazuh` is Vigil's own logsource for rules over any Wazuh alert (rule.level, rule.groups, agent.*, …)
// and, with `service: syscheck`, over file integrity alerts. Fields are alert paths as written.
import { accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';
import { alertPath, always, wcsNameOn4x, keywordTexts, type NormalLogsource, type Source, type SourceSpec } from './source.js';

function field(name: string) {
  const path = alertPath(name);
  const wcs = path ? undefined : wcsNameOn4x(name);
  if (wcs) return wcs;
  if (!path) throw new UnsupportedError(`field "${name}" of product wazuh: write the alert path (rule.level, data.srcip, syscheck.path …)`);
  return accessor(path);
}

const anyAlert: Source = { name: 'Any Wazuh alert', gate: always, field, keywords: keywordTexts };
const syscheck: Source = { name: 'Wazuh file integrity (syscheck)', gate: (d) => d.syscheck !== undefined, field, keywords: keywordTexts };

export const wazuhSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'wazuh' || ls.category) return undefined;
    if (!ls.service) return anyAlert;
    if (ls.service === 'syscheck') return syscheck;
    return undefined;
  },
};
