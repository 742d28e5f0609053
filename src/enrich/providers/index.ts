// The one list of enrichment providers, in the order their results are shown. The provider keys of the
// `enrich:` config section are derived from it; a provider is one self-describing file registered here.
import { sectionShape } from '../../config/component.js';
import type { Provider } from '../provider.js';
import { abuseipdbProvider } from './abuseipdb.js';
import { geoipProvider } from './geoip.js';
import { reverseDnsProvider } from './reverse-dns.js';
import { virustotalProvider } from './virustotal.js';
import { agentsProvider, type AgentDirectory } from './wazuh-agent.js';

export const PROVIDERS = [virustotalProvider, abuseipdbProvider, geoipProvider, agentsProvider, reverseDnsProvider] as const;

export type ProviderKey = (typeof PROVIDERS)[number]['name'];

export const providersShape = sectionShape(PROVIDERS);

export interface ProviderDeps {
  /** The Wazuh agent inventory, when the Wazuh server API is configured. */
  agents?: AgentDirectory;
}

export function buildProviders(config: { [K in ProviderKey]: { enabled: boolean } }, deps: ProviderDeps = {}): Provider[] {
  const out: Provider[] = [];
  for (const p of PROVIDERS) {
    const section = config[p.name];
    if (!section.enabled) continue;
    const provider = (p.create as (config: unknown, deps: ProviderDeps) => Provider | undefined)(section, deps);
    if (provider) out.push(provider);
  }
  return out;
}
