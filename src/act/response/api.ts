// What the response needs of the Wazuh server API: the agent inventory and PUT /active-response. The Wazuh
// API client (src/wazuh/) has this shape; tests pass a client pointed at a fake manager.

export interface InventoryAgent {
  id: string;
  name: string;
  ip?: string;
  registerIP?: string;
  os?: { platform?: string; name?: string };
}

export interface ActiveResponseResult {
  affected: string[];
  failed: { code: number; message: string; ids: string[] }[];
}

export interface ResponseApi {
  listAgents(query?: { agents?: string[] }): Promise<InventoryAgent[]>;
  runActiveResponse(req: { command: string; agents?: string[]; arguments?: string[]; alert?: Record<string, unknown> }): Promise<ActiveResponseResult>;
}

export function isWindows(agent: InventoryAgent | undefined): boolean {
  const platform = `${agent?.os?.platform ?? ''} ${agent?.os?.name ?? ''}`.toLowerCase();
  return platform.includes('windows');
}
