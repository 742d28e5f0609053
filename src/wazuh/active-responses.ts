// Active response on Wazuh 5.x. `PUT /active-response` is gone; every manager node polls the indexer's
// `wazuh-active-responses` data stream (every 30 s, up to 1,000 documents) and sends what it finds to the agents.
// Vigil writes that document itself: the block as a stateful run of the block executable on one agent
// (`location: defined-agent`), lasting the ledger's duration, and at expiry (or an early unblock) a stateless
// run of the unblock executable. The document must point (event.index, event.doc_id) at a document the manager
// can fetch, so it points at the 5.x finding of the incident that carries the blocked address; the manager
// merges that finding into what the agent's script reads, so the script sees the address as source.ip.
// The document id is deterministic (response, operation, agent): a retry after a crash writes nothing new
// (409), and the action counts as delivered only once the indexer has the document.
import { systemClock, type Clock } from '../clock.js';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { Agent } from 'undici';
import type { ActiveResponseResult, InventoryAgent, ResponseApi, ResponseContext } from '../act/response/api.js';
import type { Wazuh5ResponseConfig } from '../config/actions.js';
import { normaliseAddress } from '../act/response/guard.js';
import { alertsByEventIds } from '../store/alerts.js';
import { detectionsOfIncident } from '../triage/detections.js';
import type { Database } from '../store/schema.js';
import { IndexerError, IndexerHttp } from '../sources/wazuh5.js';

export const AR_INDEX = 'wazuh-active-responses';

/** A stored 5.x finding: where it is, and what it says. */
export interface FindingRef {
  index: string;
  id: string;
  source: Record<string, any>;
}

export const arDocumentId = (c: Pick<ResponseContext, 'responseId' | 'op'>, agent: string) => `vigil-${c.responseId}-${c.op}-${agent}`;

/** The `wazuh.*` blocks of the finding the AR document repeats (as Wazuh's own monitor does). */
const COPIED = ['cluster', 'protocol', 'agent', 'integration', 'rule', 'event', 'space'];

export function arDocument(finding: FindingRef, context: ResponseContext, agent: string, config: Wazuh5ResponseConfig, now: number): Record<string, unknown> {
  const wazuh: Record<string, unknown> = {};
  for (const k of COPIED) if (finding.source.wazuh?.[k] !== undefined) wazuh[k] = finding.source.wazuh[k];
  wazuh.active_response =
    context.op === 'block'
      ? {
          name: config.block.name,
          executable: config.block.executable,
          extra_arguments: config.block.extraArguments,
          location: 'defined-agent',
          agent_id: agent,
          type: 'stateful',
          // The agent lifts the block by itself at expiry even if Vigil is down then.
          stateful_timeout: Math.max(1, Math.round(context.durationMs / 1000)),
        }
      : { name: config.unblock.name, executable: config.unblock.executable, extra_arguments: null, location: 'defined-agent', agent_id: agent, type: 'stateless' };
  return { '@timestamp': new Date(now).toISOString(), event: { index: finding.index, doc_id: finding.id }, wazuh };
}

/**
 * The incident's newest stored 5.x finding per agent whose source.ip is the address, from the events of its
 * detections.
 */
export async function findingsFor(db: Kysely<Database>, incidentId: string, address: string): Promise<Map<string, FindingRef>> {
  const dets = await detectionsOfIncident(db, incidentId);
  const ids = [...new Set(dets.flatMap((d) => d.eventIds))];
  const out = new Map<string, FindingRef>();
  for (let i = 0; i < ids.length; i += 200) {
    for (const a of await alertsByEventIds(db, ids.slice(i, i + 200))) {
      if (a.format !== 'wcs') continue;
      let hit: any;
      try {
        hit = JSON.parse(a.body);
      } catch {
        continue;
      }
      const src = hit?._source;
      if (!src || typeof hit._index !== 'string' || !hit._index.includes('wazuh-findings-v5-') || typeof hit._id !== 'string') continue;
      if (typeof src.source?.ip !== 'string' || normaliseAddress(src.source.ip) !== address) continue;
      const agent = src.wazuh?.agent?.id;
      if (typeof agent === 'string') out.set(agent, { index: hit._index, id: hit._id, source: src });
    }
  }
  return out;
}

export class Wazuh5ResponseApi implements ResponseApi {
  private readonly dispatcher: Agent;
  private readonly http: IndexerHttp;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Wazuh5ResponseConfig,
    /** The agent inventory still comes from the manager API (:55000), when one is configured. */
    private readonly inventory: Pick<ResponseApi, 'listAgents'> | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.dispatcher = new Agent({
      connect: { ca: config.caFile ? readFileSync(config.caFile) : undefined, rejectUnauthorized: config.verifyTls },
      headersTimeout: config.timeout,
      bodyTimeout: config.timeout,
    });
    this.http = new IndexerHttp(config.url, this.dispatcher, 'Basic ' + Buffer.from(`${config.user}:${config.password}`).toString('base64'));
  }

  async listAgents(query?: { agents?: string[] }): Promise<InventoryAgent[]> {
    return this.inventory ? this.inventory.listAgents(query) : [];
  }

  async runActiveResponse(req: { agents?: string[]; context?: ResponseContext }): Promise<ActiveResponseResult> {
    const c = req.context;
    if (!c) throw new IndexerError('a Wazuh 5.x active response needs the block it belongs to');
    const findings = await findingsFor(this.db, c.incidentId, c.address);
    const affected: string[] = [];
    const failed: ActiveResponseResult['failed'] = [];
    for (const agent of req.agents ?? []) {
      const finding = findings.get(agent);
      if (!finding) {
        failed.push({ code: 0, ids: [agent], message: `no Wazuh 5.x finding of this incident from agent ${agent} carries source.ip ${c.address}; the document must point at one` });
        continue;
      }
      // Wazuh 5 managers do not send active responses to agents older than 5.0.
      const version = String(finding.source.wazuh?.agent?.version ?? '');
      if (/^v[0-4]\./.test(version)) {
        failed.push({ code: 0, ids: [agent], message: `agent ${agent} runs Wazuh ${version}; Wazuh 5 sends active responses only to 5.x agents` });
        continue;
      }
      const id = arDocumentId(c, agent);
      const doc = arDocument(finding, c, agent, this.config, this.clock());
      // 201: indexed now; 409: indexed by an earlier attempt whose answer was lost. Either way it is there.
      await this.http.call('PUT', `/${AR_INDEX}/_create/${encodeURIComponent(id)}`, doc, [201, 409]);
      affected.push(agent);
    }
    return { affected, failed };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
