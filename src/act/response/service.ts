// Guarded Wazuh active response: request a block (from a playbook), decide it (approval link, dashboard or
// automatic), run it from the outbox on the affected agents with the command for their OS, unblock it at expiry
// or by hand. Every step writes the audit log: who, what, when, result.
import { systemClock } from '../../clock.js';
import type { Kysely } from 'kysely';
import type { ApprovalsConfig, ResponseConfig } from '../../config/schema.js';
import { audit } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import type { ApprovalLink } from '../notification.js';
import { enqueue, expedite } from '../outbox.js';
import { approvalUrl, verifyApproval } from './approval-token.js';
import { Guard } from './guard.js';
import { insertResponse, listResponses, nextOffence, requestOf, responseRow, updateResponse, type ResponseRow } from './ledger.js';

export const RESPONSE_CHANNEL = 'wazuh-response';
/** Why a block cannot run at all on this Vigil: the reason a refusal gives. */
export const NO_API = 'no Wazuh API is configured (wazuh.api.url)';
export type ResponseMode = 'off' | 'dry-run' | 'approval' | 'automatic';

export interface BlockRequest {
  incidentId: string;
  playbook: string;
  address: string;
  agents: string[];
  mode: ResponseMode;
}

export interface ResponseView {
  id: number;
  incidentId: string;
  playbook: string;
  address: string;
  agents: string[];
  mode: string;
  state: string;
  offence: number;
  durationMs: number;
  approvalExpiresAt?: number;
  blockedAt?: number;
  unblockAt?: number;
  unblockedAt?: number;
  decidedBy?: string;
  reason?: string;
  createdAt: number;
}

export type Decision = 'approve' | 'deny';
export type DecisionResult =
  | { ok: true; response: ResponseView }
  | { ok: false; reason: 'not-found' | 'bad-signature' | 'expired' | 'already-used' | 'not-blocked'; response?: ResponseView };

export const unblockKey = (id: number) => `response:${id}:unblock`;
export const blockKey = (id: number) => `response:${id}:block`;
const target = (address: string) => `ip:${address}`;

export function toView(r: ResponseRow): ResponseView {
  const opt = (v: number | null) => (v === null ? undefined : Number(v));
  return {
    id: Number(r.id),
    incidentId: r.incident_id,
    playbook: r.playbook,
    address: r.address,
    agents: JSON.parse(r.agents_json),
    mode: r.mode,
    state: r.state,
    offence: Number(r.offence),
    durationMs: Number(r.duration_ms),
    approvalExpiresAt: opt(r.approval_expires_at),
    blockedAt: opt(r.blocked_at),
    unblockAt: opt(r.unblock_at),
    unblockedAt: opt(r.unblocked_at),
    decidedBy: r.decided_by ?? undefined,
    reason: r.reason ?? undefined,
    createdAt: Number(r.created_at),
  };
}

export class ResponseService {
  readonly guard: Guard;
  /** Called after a decision or unblock queued work, so the outbox runs it now. */

  constructor(
    private readonly db: Kysely<Database>,
    readonly config: ResponseConfig,
    private readonly approvals: ApprovalsConfig & { secret: string },
    /** Actions were queued (an approved block, an early unblock): the outbox should run now. */
    private readonly wake: () => void = () => {},
    /** Set when blocks cannot run here (no Wazuh API): an approval or an automatic block is refused with it. */
    private readonly unavailable?: string,
  ) {
    this.guard = new Guard(config);
  }

  /**
   * Records a block request inside the caller's transaction (the pipeline's). Returns the approval link to put
   * in the incident's messages when the mode asks for one. A request for the same incident, address and
   * playbook is made once, whatever the number of revisions.
   */
  async request(trx: Kysely<Database>, req: BlockRequest, now = systemClock()): Promise<ApprovalLink | undefined> {
    if (req.mode === 'off') return undefined;
    if ((await requestOf(trx, req.incidentId, req.address, req.playbook)) !== undefined) return undefined;
    const verdict = this.guard.checkAddress(req.address);
    const address = verdict.ok ? verdict.address : req.address;
    const planned = await nextOffence(trx, address, this.config, now);
    const noAgents = req.agents.length === 0 ? 'no affected agent is known for this incident' : undefined;
    const cannotRun = req.mode === 'automatic' ? this.unavailable : undefined;
    const refusal = !verdict.ok ? verdict.reason : (noAgents ?? cannotRun);
    const state = refusal ? 'refused' : req.mode === 'dry-run' ? 'dry-run' : req.mode === 'approval' ? 'awaiting-approval' : 'approved';
    const expiresAt = state === 'awaiting-approval' ? now + this.approvals.ttl : null;
    const id = await insertResponse(trx, {
      incident_id: req.incidentId,
      playbook: req.playbook,
      address,
      agents_json: JSON.stringify(req.agents),
      mode: req.mode,
      state,
      offence: planned.offence,
      duration_ms: planned.durationMs,
      approval_expires_at: expiresAt,
      approval_used_at: null,
      blocked_at: null,
      unblock_at: null,
      unblocked_at: null,
      decided_by: state === 'approved' ? `playbook:${req.playbook}` : null,
      reason: refusal ?? null,
      created_at: now,
      updated_at: now,
    });
    await audit(
      trx,
      {
        actor: `playbook:${req.playbook}`,
        action: 'response.request',
        target: target(address),
        result: state,
        details: { response: id, incident: req.incidentId, mode: req.mode, agents: req.agents, offence: planned.offence, durationMs: planned.durationMs, reason: refusal },
      },
      now,
    );
    if (state === 'approved') await enqueue(trx, { channel: RESPONSE_CHANNEL, incidentId: req.incidentId, revision: 0, key: blockKey(id), payload: { op: 'block', response: id } }, now);
    if (state !== 'awaiting-approval') return undefined;
    return { address, agents: req.agents, expiresAt: expiresAt!, url: approvalUrl(this.approvals.publicUrl, this.approvals.secret, id, expiresAt!) };
  }

  async get(id: number): Promise<ResponseView | undefined> {
    const row = await responseRow(this.db, id);
    return row ? toView(row) : undefined;
  }

  async list(q: { incidentId?: string; state?: string; limit?: number } = {}): Promise<ResponseView[]> {
    return (await listResponses(this.db, { ...q, limit: q.limit ?? 200 })).map(toView);
  }

  verifyLink(id: number, expiresAt: number, signature: string): boolean {
    return Number.isSafeInteger(id) && Number.isSafeInteger(expiresAt) && verifyApproval(this.approvals.secret, id, expiresAt, signature);
  }

  /** A decision through a signed link: the signature and expiry are checked, then it is a one-time decision. */
  async decideByLink(id: number, expiresAt: number, signature: string, decision: Decision, actor: string, now = systemClock()): Promise<DecisionResult> {
    if (!this.verifyLink(id, expiresAt, signature)) {
      await audit(this.db, { actor, action: `response.${decision}`, target: `response:${id}`, result: 'refused', details: { reason: 'bad-signature' } }, now);
      return { ok: false, reason: 'bad-signature' };
    }
    return this.decide(id, decision, actor, now, expiresAt);
  }

  /** Approve or deny a pending block (dashboard, or a verified link). A second decision is refused. */
  async decide(id: number, decision: Decision, actor: string, now = systemClock(), linkExpiry?: number): Promise<DecisionResult> {
    const row = await responseRow(this.db, id);
    if (!row) return { ok: false, reason: 'not-found' };
    const expiry = linkExpiry ?? (row.approval_expires_at === null ? undefined : Number(row.approval_expires_at));
    const refuse = async (reason: 'expired' | 'already-used') => {
      await audit(this.db, { actor, action: `response.${decision}`, target: target(row.address), result: 'refused', details: { response: id, reason, state: row.state } }, now);
      return { ok: false as const, reason, response: toView(row) };
    };
    if (expiry !== undefined && now > expiry && row.state === 'awaiting-approval') {
      await updateResponse(this.db, id, { state: 'expired', updated_at: now }, { state: 'awaiting-approval' });
      return refuse('expired');
    }
    // An approval the guard rails would stop anyway is refused now, so whoever approved reads the refusal at once
    // (the page, the incident), not "approved" for a block that never runs. The executor checks again before the call.
    const refusal = decision === 'approve' ? await this.refusalNow(row.address, now) : undefined;
    const state = decision === 'deny' ? 'denied' : refusal ? 'refused' : 'approved';
    const decided = await this.db.transaction().execute(async (trx) => {
      // The single use: only the first decision moves the row out of awaiting-approval.
      if (!(await updateResponse(trx, id, { state, approval_used_at: now, decided_by: actor, updated_at: now, ...(refusal ? { reason: refusal } : {}) }, { state: 'awaiting-approval', unused: true }))) return false;
      await audit(trx, { actor, action: `response.${decision}`, target: target(row.address), result: 'ok', details: { response: id, incident: row.incident_id } }, now);
      if (refusal) await audit(trx, { actor: 'system', action: 'response.block', target: target(row.address), result: 'refused', details: { response: id, incident: row.incident_id, reason: refusal } }, now);
      if (state === 'approved') {
        await enqueue(trx, { channel: RESPONSE_CHANNEL, incidentId: row.incident_id, revision: 0, key: blockKey(id), payload: { op: 'block', response: id } }, now);
      }
      return true;
    });
    if (!decided) return refuse('already-used');
    if (state === 'approved') this.wake();
    return { ok: true, response: (await this.get(id))! };
  }

  /** Why a block of this address would be refused if it ran now (checks that need no network), if it would. */
  private async refusalNow(address: string, now: number): Promise<string | undefined> {
    if (this.unavailable) return this.unavailable;
    const verdict = this.guard.checkAddress(address);
    if (!verdict.ok) return verdict.reason;
    const cap = await this.guard.checkCap(this.db, now);
    return cap.ok ? undefined : cap.reason;
  }

  /** Lifts a block now instead of at its expiry. */
  async unblock(id: number, actor: string, now = systemClock()): Promise<DecisionResult> {
    const row = await responseRow(this.db, id);
    if (!row) return { ok: false, reason: 'not-found' };
    const ok = row.state === 'blocked' && (await expedite(this.db, unblockKey(id), now));
    await audit(this.db, { actor, action: 'response.unblock-request', target: target(row.address), result: ok ? 'ok' : 'refused', details: { response: id, state: row.state } }, now);
    if (!ok) return { ok: false, reason: 'not-blocked', response: toView(row) };
    this.wake();
    return { ok: true, response: toView(row) };
  }
}
