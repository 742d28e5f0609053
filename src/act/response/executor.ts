// Runs approved blocks and their unblocks from the outbox, as the `wazuh-response` channel. The guard runs
// again right before the call (the allowlist, the inventory and the hourly cap may have changed since the
// request). Agents get the command for their OS from the inventory: firewall-drop on Linux, netsh on Windows.
import { systemClock, type Clock } from '../../clock.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { audit } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import { RefusedError, type Channel, type OutboxItem } from '../channel.js';
import type { ResponsePayload } from '../payload.js';
import { enqueue } from '../outbox.js';
import { isWindows, type InventoryAgent, type ResponseApi, type ResponseContext } from './api.js';
import { nextOffence, responseRow, updateResponse } from './ledger.js';
import { NO_API, RESPONSE_CHANNEL, unblockKey, type ResponseService } from './service.js';


export class ResponseExecutor implements Channel<ResponsePayload> {
  readonly name = RESPONSE_CHANNEL;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly service: ResponseService,
    private readonly api: ResponseApi | undefined,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  async send(item: OutboxItem<ResponsePayload>): Promise<void> {
    const p = item.payload;
    if (p.op === 'block') await this.block(p.response);
    else await this.unblock(p.response);
  }

  private async block(id: number): Promise<void> {
    const row = await responseRow(this.db, id);
    if (!row || row.state !== 'approved') return; // already run, or decided otherwise meanwhile
    const agents: string[] = JSON.parse(row.agents_json);
    const actor = row.decided_by ?? 'system';
    // A refusal is final: the response and its action read as refused (never delivered), with the reason.
    const refuse = async (reason: string): Promise<never> => {
      const now = this.clock();
      await updateResponse(this.db, id, { state: 'refused', reason, updated_at: now });
      await audit(this.db, { actor: 'system', action: 'response.block', target: `ip:${row.address}`, result: 'refused', details: { response: id, incident: row.incident_id, reason } }, now);
      this.log.warn({ response: id, address: row.address, reason }, 'block refused');
      throw new RefusedError(reason);
    };
    const address = this.service.guard.checkAddress(row.address);
    if (!address.ok) return refuse(address.reason);
    if (!this.api) return refuse(NO_API);
    const inventory = await this.api.listAgents();
    const asset = this.service.guard.checkAssets(address.address, inventory);
    if (!asset.ok) return refuse(asset.reason);
    const cap = await this.service.guard.checkCap(this.db, this.clock());
    if (!cap.ok) return refuse(cap.reason);

    const offence = await nextOffence(this.db, address.address, this.service.config, this.clock());
    const result = await this.run(address.address, agents, inventory, 'block', { responseId: id, incidentId: row.incident_id, durationMs: offence.durationMs });
    const now = this.clock();
    const unblockAt = now + offence.durationMs;
    await this.db.transaction().execute(async (trx) => {
      await updateResponse(trx, id, { state: 'blocked', blocked_at: now, unblock_at: unblockAt, offence: offence.offence, duration_ms: offence.durationMs, updated_at: now });
      // The unblock is an outbox row due at expiry: it survives restarts and can be woken early by hand.
      await enqueue(trx, { channel: RESPONSE_CHANNEL, incidentId: row.incident_id, revision: 0, key: unblockKey(id), notBefore: unblockAt, payload: { op: 'unblock', response: id } }, now);
      await audit(
        trx,
        {
          actor,
          action: 'response.block',
          target: `ip:${address.address}`,
          result: result.failed.length > 0 ? 'partial' : 'ok',
          details: { response: id, incident: row.incident_id, agents: result.affected, failed: result.failed, commands: result.commands, offence: offence.offence, durationMs: offence.durationMs, unblockAt },
        },
        now,
      );
    });
    this.log.info({ response: id, address: address.address, agents: result.affected, offence: offence.offence, durationMs: offence.durationMs }, 'address blocked');
  }

  private async unblock(id: number): Promise<void> {
    const row = await responseRow(this.db, id);
    if (!row || row.state !== 'blocked') return;
    if (!this.api) throw new Error(NO_API);
    const agents: string[] = JSON.parse(row.agents_json);
    const inventory = await this.api.listAgents({ agents });
    const result = await this.run(row.address, agents, inventory, 'unblock', { responseId: id, incidentId: row.incident_id, durationMs: Number(row.duration_ms) });
    const now = this.clock();
    await updateResponse(this.db, id, { state: 'unblocked', unblocked_at: now, updated_at: now });
    await audit(this.db, {
      actor: 'system',
      action: 'response.unblock',
      target: `ip:${row.address}`,
      result: result.failed.length > 0 ? 'partial' : 'ok',
      details: { response: id, agents: result.affected, failed: result.failed, commands: result.commands, early: row.unblock_at !== null && now < Number(row.unblock_at) },
    }, now);
    this.log.info({ response: id, address: row.address }, 'address unblocked');
  }

  /** Sends the command for each OS group of agents. Throws (and the outbox retries) when no agent took it. */
  private async run(address: string, agents: string[], inventory: InventoryAgent[], op: 'block' | 'unblock', context: Omit<ResponseContext, 'op' | 'address'>) {
    const byId = new Map(inventory.map((a) => [a.id, a]));
    const groups = new Map<string, string[]>();
    for (const id of agents) {
      const os = isWindows(byId.get(id)) ? 'windows' : 'linux';
      const command = this.service.config[os][op];
      groups.set(command, [...(groups.get(command) ?? []), id]);
    }
    const affected: string[] = [];
    const failed: { ids: string[]; code: number; message: string }[] = [];
    const commands: Record<string, string[]> = {};
    for (const [command, ids] of groups) {
      commands[command] = ids;
      // The stock scripts read the address from alert.data.srcip; only Vigil's validated address goes there.
      const res = await this.api!.runActiveResponse({ command, agents: ids, arguments: [], alert: { data: { srcip: address } }, context: { ...context, op, address } });
      affected.push(...res.affected);
      failed.push(...res.failed);
    }
    if (affected.length === 0) throw new Error(`${op} of ${address} reached no agent: ${failed.map((f) => `${f.ids.join(',')}: ${f.message}`).join('; ') || 'no answer'}`);
    return { affected, failed, commands };
  }
}
