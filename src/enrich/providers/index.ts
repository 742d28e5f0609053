// The configured providers, in the order their results are shown.
import type { EnrichConfig } from '../../config/schema.js';
import type { Provider } from '../provider.js';
import { AbuseIpDbProvider } from './abuseipdb.js';
import { GeoIpProvider } from './geoip.js';
import { ReverseDnsProvider } from './reverse-dns.js';
import { VirusTotalProvider } from './virustotal.js';
import { WazuhAgentProvider, type AgentDirectory } from './wazuh-agent.js';

export function buildProviders(config: EnrichConfig, deps: { agents?: AgentDirectory } = {}): Provider[] {
  const out: Provider[] = [];
  if (config.virustotal.enabled) out.push(new VirusTotalProvider(config.virustotal));
  if (config.abuseipdb.enabled) out.push(new AbuseIpDbProvider(config.abuseipdb));
  if (config.geoip.enabled) out.push(new GeoIpProvider(config.geoip));
  if (config.agents.enabled && deps.agents) out.push(new WazuhAgentProvider(deps.agents, config.agents.ttl));
  if (config.reverseDns.enabled) out.push(new ReverseDnsProvider(config.reverseDns));
  return out;
}
