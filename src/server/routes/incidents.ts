// /api/v1/incidents: the queue, one incident's full picture, and what analysts do to incidents (triage's
// domain functions: acknowledge, assign, resolve, reopen, verdict). Suppressions: routes/suppressions.ts.
import type { Routes } from '../plugin.js';
import { httpStatusOf } from '../../errors.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { LEVELS } from '../../model/index.js';
import { audit } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import { actorOf, who } from '../auth/guard.js';
import { getIncident } from '../queries/incidents.js';
import { acknowledge, assign, reopen, resolve, setVerdict } from '../../triage/analyst.js';
import type { TriageContext } from '../../triage/context.js';
import { listIncidents } from '../../triage/queries.js';
import { TriageError, VERDICTS, type Verdict } from '../../triage/types.js';
import { detailSchema, errorSchema, guarded, idParams, incidentSchema, suppressionSchema } from '../schemas.js';
import type { ResponseService } from '../../act/response/service.js';

const csv = (v?: string) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** A refused change answers 404/409/400 and is audited too: an attempt is an analyst action. */
export async function triageError(db: Kysely<Database>, req: FastifyRequest, reply: FastifyReply, action: string, target: string, err: unknown) {
  if (!(err instanceof TriageError)) throw err;
  await audit(db, { actor: actorOf(who(req)), action, target, result: 'refused', details: { reason: err.message } });
  return reply.code(httpStatusOf(err) ?? 400).send({ error: err.code, message: err.message });
}

const commentBody = { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 2000 } } } as const;

type Query = {
  status?: string;
  level?: string;
  rule?: string;
  assignee?: string;
  verdict?: Verdict | 'none';
  indicator?: string;
  minScore?: number;
  since?: number;
  sort?: 'received' | 'last_seen' | 'severity';
  limit: number;
  offset: number;
};

export interface IncidentRoutesOptions {
  db: Kysely<Database>;
  triage: TriageContext;
  responses?: ResponseService;
}

export const incidentRoutes: Routes<IncidentRoutesOptions> = async (app, { db, triage, responses }) => {
  app.get(
    '/incidents',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: 'The incident queue, newest activity first (or by severity score)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', pattern: '^(open|acknowledged|resolved)(,(open|acknowledged|resolved))*$', description: 'comma-separated' },
            level: { type: 'string', pattern: `^(${LEVELS.join('|')})(,(${LEVELS.join('|')}))*$`, description: 'comma-separated' },
            rule: { type: 'string', maxLength: 200, description: 'rule id' },
            assignee: { type: 'string', maxLength: 64 },
            verdict: { type: 'string', enum: [...VERDICTS, 'none'] },
            indicator: { type: 'string', maxLength: 512, description: 'incidents holding this indicator (an address, user, host …), exact' },
            minScore: { type: 'integer', minimum: 0, maximum: 100 },
            since: { type: 'integer', minimum: 0, description: 'last seen at or after (epoch ms)' },
            sort: { type: 'string', enum: ['received', 'last_seen', 'severity'], default: 'received', description: 'received: newest activity in Vigil first (not the events\' own clocks)' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: { type: 'object', additionalProperties: false, required: ['items', 'total', 'limit', 'offset'], properties: { items: { type: 'array', items: incidentSchema }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
          ...guarded,
        },
      },
    },
    async (req) => {
      const q = req.query;
      return listIncidents(db, {
        status: csv(q.status) as ('open' | 'acknowledged' | 'resolved')[] | undefined,
        level: csv(q.level) as (typeof LEVELS)[number][] | undefined,
        ruleId: q.rule,
        assignee: q.assignee,
        verdict: q.verdict,
        indicator: q.indicator,
        minScore: q.minScore,
        since: q.since,
        sort: q.sort,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get(
    '/incidents/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: 'One incident: severity with reasons, summary, detections, evidence events, enrichment, actions with delivery state, proposed blocks, audit trail, timeline',
        params: idParams,
        response: { 200: detailSchema, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      const detail = await getIncident(db, req.params.id, responses);
      if (!detail) return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      return detail;
    },
  );

  const changes = { acknowledge, resolve, reopen } as const;
  for (const [change, fn] of Object.entries(changes)) {
    app.post(
      `/incidents/:id/${change}`,
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['incidents'],
          summary: `${change[0]!.toUpperCase()}${change.slice(1)} an incident`,
          params: idParams,
          body: commentBody,
          response: { 200: incidentSchema, 404: errorSchema, 409: errorSchema, ...guarded },
        },
      },
      async (req, reply) => {
        try {
          return await fn(triage, req.params.id, { actor: actorOf(who(req)), comment: req.body?.comment });
        } catch (err) {
          return triageError(db, req, reply, `incident.${change}`, `incident:${req.params.id}`, err);
        }
      },
    );
  }

  app.post(
    '/incidents/:id/assign',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['incidents'],
        summary: 'Set (or with null clear) who works the incident',
        params: idParams,
        body: { type: 'object', required: ['assignee'], additionalProperties: false, properties: { assignee: { type: ['string', 'null'], maxLength: 64 } } },
        response: { 200: incidentSchema, 400: errorSchema, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      try {
        return await assign(triage, req.params.id, req.body.assignee, { actor: actorOf(who(req)) });
      } catch (err) {
        return triageError(db, req, reply, 'incident.assign', `incident:${req.params.id}`, err);
      }
    },
  );

  app.post(
    '/incidents/:id/verdict',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['incidents'],
        summary: 'Record a verdict with a comment; false positive or benign also resolves; a false positive may suppress the entity',
        params: idParams,
        body: {
          type: 'object',
          required: ['verdict', 'comment'],
          additionalProperties: false,
          properties: {
            verdict: { type: 'string', enum: [...VERDICTS] },
            comment: { type: 'string', minLength: 1, maxLength: 2000 },
            suppress: {
              type: 'object',
              additionalProperties: false,
              properties: { expiresInMs: { type: 'integer', minimum: 60_000 }, reason: { type: 'string', maxLength: 500 }, anyRule: { type: 'boolean' } },
            },
          },
        },
        response: {
          200: { type: 'object', additionalProperties: false, required: ['incident', 'suppressions'], properties: { incident: incidentSchema, suppressions: { type: 'array', items: suppressionSchema } } },
          400: errorSchema,
          404: errorSchema,
          ...guarded,
        },
      },
    },
    async (req, reply) => {
      try {
        return await setVerdict(triage, req.params.id, { actor: actorOf(who(req)), ...req.body });
      } catch (err) {
        return triageError(db, req, reply, 'incident.verdict', `incident:${req.params.id}`, err);
      }
    },
  );
};
