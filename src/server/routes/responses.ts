// Guarded active response and the outbox from the dashboard and API: approve or deny a pending block, lift a
// block early, retry a dead letter, and read the playbooks. The act stage does the work and writes the audit log.
import type { Routes } from '../plugin.js';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { listActions, retryAction } from '../../act/admin.js';
import type { DecisionResult, ResponseService } from '../../act/response/service.js';
import type { Playbook } from '../../config/playbooks.js';
import type { Database } from '../../store/schema.js';
import { actorOf, who } from '../auth/guard.js';
import { actionSchema, ACTION_STATES, errorSchema, guarded, numericId, responseSchema } from '../schemas.js';

const STATUS: Record<string, number> = { 'not-found': 404, expired: 410, 'already-used': 409, 'not-blocked': 409, 'bad-signature': 403 };

function answer(reply: FastifyReply, r: DecisionResult) {
  if (r.ok) return r.response;
  return reply.code(STATUS[r.reason] ?? 409).send({ error: r.reason.replace('-', '_'), message: `refused: ${r.reason}${r.response ? ` (state ${r.response.state})` : ''}` });
}

export interface ResponseRoutesOptions {
  db: Kysely<Database>;
  responses?: ResponseService;
  playbooks: Playbook[];
}

export const responseRoutes: Routes<ResponseRoutesOptions> = async (app, { db, responses, playbooks }) => {
  const off = (reply: FastifyReply) => reply.code(404).send({ error: 'not_found', message: 'active response is off in this Vigil' });

  app.get(
    '/responses',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['response'],
        summary: 'Active responses (blocks), newest first; state=awaiting-approval lists what waits for a decision',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { incident: { type: 'string', maxLength: 128 }, state: { type: 'string', maxLength: 40 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        },
        response: { 200: { type: 'array', items: responseSchema }, ...guarded },
      },
    },
    async (req) => (responses ? responses.list({ incidentId: req.query.incident, state: req.query.state, limit: req.query.limit }) : []),
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/responses/:id/${decision}`,
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['response'],
          summary: `${decision === 'approve' ? 'Approve' : 'Deny'} a block awaiting approval (one decision only)`,
          params: numericId,
          response: { 200: responseSchema, 404: errorSchema, 409: errorSchema, 410: errorSchema, ...guarded },
        },
      },
      async (req, reply) => (responses ? answer(reply, await responses.decide(req.params.id, decision, actorOf(who(req)))) : off(reply)),
    );
  }

  app.post(
    '/responses/:id/unblock',
    {
      config: { access: 'analyst' },
      schema: { tags: ['response'], summary: 'Lift a block now instead of at its expiry', params: numericId, response: { 200: responseSchema, 404: errorSchema, 409: errorSchema, ...guarded } },
    },
    async (req, reply) => (responses ? answer(reply, await responses.unblock(req.params.id, actorOf(who(req)))) : off(reply)),
  );

  app.get(
    '/actions',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['actions'],
        summary: 'Actions with their delivery state; state=dead lists the dead letters',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            incident: { type: 'string', maxLength: 128 },
            state: { type: 'string', enum: [...ACTION_STATES] },
            channel: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: { 200: { type: 'array', items: actionSchema }, ...guarded },
      },
    },
    (req) => listActions(db, { incidentId: req.query.incident, state: req.query.state, channel: req.query.channel, limit: req.query.limit }),
  );

  app.post(
    '/actions/:id/retry',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['actions'],
        summary: 'Put a dead (or failed) action back in the queue with fresh attempts',
        params: numericId,
        response: { 200: { type: 'object', additionalProperties: false, required: ['ok'], properties: { ok: { type: 'boolean' } } }, 404: errorSchema, 409: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      const r = await retryAction(db, req.params.id, actorOf(who(req)));
      if (r.ok) return { ok: true };
      if (r.reason === 'not-found') return reply.code(404).send({ error: 'not_found', message: `no action ${req.params.id}` });
      return reply.code(409).send({ error: 'not_retryable', message: `action ${req.params.id} is ${r.state}; only dead or failed actions are retried` });
    },
  );

  app.get(
    '/playbooks',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['playbooks'],
        summary: 'The playbooks in force, in the order they are considered',
        response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } }, ...guarded },
      },
    },
    async () => playbooks,
  );
};
