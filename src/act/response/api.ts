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

/** What the block is, for a Wazuh that takes requests as documents (5.x): the document id derives from it. */
export interface ResponseContext {
  responseId: number;
  incidentId: string;
  op: 'block' | 'unblock';
  address: string;
  durationMs: number;
}

export interface ResponseApi {
  listAgents(query?: { agents?: string[] }): Promise<InventoryAgent[]>;
  runActiveResponse(req: { command: string; agents?: string[]; arguments?: string[]; alert?: Record<string, unknown>; context?: ResponseContext }): Promise<ActiveResponseResult>;
}

export function isWindows(agent: InventoryAgent | undefined): boolean {
  const platform = `${agent?.os?.platform ?? ''} ${agent?.os?.name ?? ''}`.toLowerCase();
  return platform.includes('windows');
}
