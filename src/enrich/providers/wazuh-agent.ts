// The Wazuh agent inventory: what Vigil's manager knows of the incident's host — agent id, address, OS,
// groups and whether it is connected. Uses the Wazuh API client through the small surface it needs.
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { duration, MIN } from '../../config/fragments.js';
import type { Indicator } from '../../model/index.js';
import { ProviderError, type LookupResult, type Provider } from '../provider.js';
import { isAddress } from '../ranges.js';

/** Looks the incident's host up in the Wazuh agent inventory (when the Wazuh API is configured); on by default. */
export const agentInventorySchema = componentSchema({ ttl: duration.default(10 * MIN) }, true);

export type AgentInventoryConfig = z.infer<typeof agentInventorySchema>;

/** The agent fields this provider reads (the Wazuh API client's `WazuhAgent`). */
export interface AgentRecord {
  id: string;
  name: string;
  ip?: string;
  status: string;
  os?: { name?: string; platform?: string; version?: string };
  groups?: string[];
  version?: string;
  lastKeepAlive?: string;
}

/** What the provider needs of a Wazuh API client. */
export interface AgentDirectory {
  listAgents(query?: { name?: string; ip?: string }): Promise<AgentRecord[]>;
  close?(): Promise<void>;
}

export class WazuhAgentProvider implements Provider {
  readonly name = 'wazuh-agent';
  readonly external = false;
  readonly keyFingerprint = '';

  constructor(
    private readonly agents: AgentDirectory,
    private readonly ttlMs: number,
  ) {}

  supports(i: Indicator): boolean {
    return i.kind === 'host';
  }

  async close(): Promise<void> {
    await this.agents.close?.();
  }

  ttl(): number {
    return this.ttlMs;
  }

  async lookup(i: Indicator): Promise<LookupResult> {
    let list: AgentRecord[];
    try {
      list = await this.agents.listAgents(isAddress(i.value) ? { ip: i.value } : { name: i.value });
      // Windows events name the computer by FQDN (`WIN-DC01.corp.example`) where the agent is `WIN-DC01`.
      const short = i.value.split('.')[0]!;
      if (list.length === 0 && !isAddress(i.value) && short !== i.value) list = await this.agents.listAgents({ name: short });
    } catch (err) {
      throw new ProviderError(`Wazuh API: ${(err as Error).message}`, 'failed');
    }
    const a = list[0];
    if (!a) return { found: false, verdict: 'unknown', summary: 'no Wazuh agent of this name', data: {} };
    const os = [a.os?.name, a.os?.version].filter(Boolean).join(' ');
    const data = { id: a.id, name: a.name, ip: a.ip, os: os || undefined, groups: a.groups ?? [], status: a.status, version: a.version, lastKeepAlive: a.lastKeepAlive };
    const parts = [`agent ${a.id} ${a.name}`, a.ip ?? 'no address', os || 'unknown OS', `groups ${(a.groups ?? []).join(', ') || '—'}`, a.status];
    return { found: true, verdict: 'unknown', summary: parts.join(' · '), data };
  }
}

export const agentsProvider = defineComponent({
  name: 'agents',
  configSchema: agentInventorySchema,
  // Only with the Wazuh server API configured: without it there is no inventory to read.
  create: (config: AgentInventoryConfig, deps: { agents?: AgentDirectory }) => (deps.agents ? new WazuhAgentProvider(deps.agents, config.ttl) : undefined),
});
