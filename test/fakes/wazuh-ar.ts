// A stand-in for the Wazuh server API's inventory and PUT /active-response, at the ResponseApi seam, following
// the documented contract: an unknown agent id fails with code 1701 "Agent does not exist", a command not in
// ar.conf with 1652 (a `!script` command runs the script by name, so it needs the script, not ar.conf), a
// disconnected agent with 1707; the rest are affected.
import type { ActiveResponseResult, InventoryAgent, ResponseApi } from '../../src/act/response/api.js';

export interface ArCall {
  command: string;
  agents: string[];
  alert?: Record<string, unknown>;
}

export class FakeWazuhAr implements ResponseApi {
  calls: ArCall[] = [];
  /** Commands configured on the manager (name + timeout, as ar.conf lists them). */
  arConf = new Set(['firewall-drop0', 'netsh0']);
  /** Scripts present in the agents' active-response/bin. */
  scripts = new Set(['firewall-drop', 'netsh.exe', 'vigil-unblock.sh', 'vigil-unblock.cmd']);

  constructor(public agents: (InventoryAgent & { status?: string })[]) {}

  async listAgents(query: { agents?: string[] } = {}): Promise<InventoryAgent[]> {
    return this.agents.filter((a) => !query.agents || query.agents.includes(a.id));
  }

  async runActiveResponse(req: { command: string; agents?: string[]; alert?: Record<string, unknown> }): Promise<ActiveResponseResult> {
    const ids = req.agents ?? this.agents.map((a) => a.id);
    this.calls.push({ command: req.command, agents: ids, alert: req.alert });
    const failed: ActiveResponseResult['failed'] = [];
    const affected: string[] = [];
    for (const id of ids) {
      const agent = this.agents.find((a) => a.id === id);
      if (!agent) failed.push({ code: 1701, message: 'Agent does not exist', ids: [id] });
      else if (req.command.startsWith('!') ? !this.scripts.has(req.command.slice(1)) : !this.arConf.has(req.command)) failed.push({ code: 1652, message: 'The command used is not defined in the configuration', ids: [id] });
      else if (agent.status === 'disconnected') failed.push({ code: 1707, message: 'Cannot send request, agent is not active', ids: [id] });
      else affected.push(id);
    }
    return { affected, failed };
  }

  /** Blocks in force per address and agent, from the calls seen (block adds, unblock removes). */
  activeBlocks(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const c of this.calls) {
      const ip = String((c.alert as any)?.data?.srcip);
      const set = out.get(ip) ?? new Set<string>();
      for (const a of c.agents) c.command.includes('unblock') ? set.delete(a) : set.add(a);
      out.set(ip, set);
    }
    return out;
  }
}
