// /api/v1/suppressions: silences with an expiry (triage's suppressions, src/triage/suppressions.ts). Analysts
// create them for an indicator (and a rule, or every rule), list them with their hits, expire them early (the
// row stays, with its hits) or remove them; each step is audited.
import { sendNoContent, type Routes } from '../plugin.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { actorOf, who } from '../auth/guard.js';
import { clock, type TriageContext } from '../../triage/context.js';
import { createSuppression, deleteSuppression, expireSuppression, listSuppressions } from '../../triage/suppressions.js';
import { errorSchema, guarded, noContent, suppressionSchema } from '../schemas.js';
import { triageError } from './incidents.js';

export interface SuppressionRoutesOptions {
  db: Kysely<Database>;
  triage: TriageContext;
}

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export const suppressionRoutes: Routes<SuppressionRoutesOptions> = async (app, { db, triage }) => {
  app.get(
    '/suppressions',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['suppressions'],
        summary: 'Suppressions in force, newest first (expired=true: also those that have ended)',
        querystring: { type: 'object', additionalProperties: false, properties: { expired: { type: 'boolean', default: false } } },
        response: { 200: { type: 'array', items: suppressionSchema }, ...guarded },
      },
    },
    (req) => listSuppressions(triage, { includeExpired: req.query.expired }),
  );

  app.post(
    '/suppressions',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['suppressions'],
        summary: 'Silence an indicator for one rule or every rule, with a reason and an expiry',
        body: {
          type: 'object',
          required: ['indicator', 'reason'],
          additionalProperties: false,
          properties: {
            indicator: {
              type: 'object',
              required: ['kind', 'value'],
              additionalProperties: false,
              properties: { kind: { type: 'string', enum: ['ip', 'user', 'host', 'hash', 'domain', 'url'] }, value: { type: 'string', minLength: 1, maxLength: 1024 } },
            },
            ruleId: { type: 'string', minLength: 1, maxLength: 200, description: 'absent: every rule' },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
            expiresInMs: { type: 'integer', minimum: 60_000, description: 'from now; absent: never expires' },
          },
        },
        response: { 201: suppressionSchema, 400: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const s = await createSuppression(triage, {
          indicator: b.indicator,
          ruleId: b.ruleId,
          reason: b.reason,
          expiresAt: b.expiresInMs === undefined ? undefined : clock(triage) + b.expiresInMs,
          actor: actorOf(who(req)),
        });
        return reply.code(201).send(s);
      } catch (err) {
        return triageError(db, req, reply, 'suppression.create', `indicator:${b.indicator.kind}:${b.indicator.value}`, err);
      }
    },
  );

  app.post(
    '/suppressions/:id/expire',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['suppressions'],
        summary: 'End a suppression now; it stays listed (expired=true) with its hits',
        params: idParam,
        response: { 200: suppressionSchema, 404: errorSchema, 409: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      try {
        return await expireSuppression(triage, req.params.id, actorOf(who(req)));
      } catch (err) {
        return triageError(db, req, reply, 'suppression.expire', `suppression:${req.params.id}`, err);
      }
    },
  );

  app.delete(
    '/suppressions/:id',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['suppressions'],
        summary: 'Remove a suppression',
        params: idParam,
        response: { 204: noContent, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      try {
        await deleteSuppression(triage, req.params.id, actorOf(who(req)));
        return sendNoContent(reply);
      } catch (err) {
        return triageError(db, req, reply, 'suppression.delete', `suppression:${req.params.id}`, err);
      }
    },
  );
};
