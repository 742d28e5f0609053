// /api/v1/incidents: the queue, one incident's full picture, and the analyst's status changes.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { LEVELS } from '../../model/index.js';
import type { Database } from '../../store/schema.js';
import { actorOf, who } from '../auth/guard.js';
import { getIncident, listIncidents } from '../queries/incidents.js';
import { changeStatus, IncidentStateError, type StatusChange } from '../queries/incident-status.js';
import { errorSchema, guarded, idParams } from '../schemas.js';
import { actionSchema, responseSchema } from './responses.js';
import type { ResponseService } from '../../act/response/service.js';

const STATUSES = ['open', 'acknowledged', 'resolved'] as const;

export const incidentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'string', enum: [...STATUSES] },
    level: { type: 'string', enum: [...LEVELS] },
    ruleId: { type: 'string' },
    entity: { type: 'object', additionalProperties: { type: 'string' } },
    firstSeen: { type: 'integer' },
    lastSeen: { type: 'integer' },
    detectionCount: { type: 'integer' },
    eventCount: { type: 'integer' },
    revision: { type: 'integer' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;
const detailSchema = {
  type: 'object',
  properties: {
    incident: incidentSchema,
    detections: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          ruleId: { type: 'string' },
          ruleTitle: { type: 'string' },
          level: { type: 'string' },
          time: { type: 'integer' },
          firstTime: { type: 'integer' },
          group: { type: 'object', additionalProperties: { type: 'string' } },
          count: { type: 'integer' },
        },
      },
    },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          time: { type: ['integer', 'null'] },
          agent: nullableString,
          sourceIp: nullableString,
          user: nullableString,
          eventId: nullableString,
          description: nullableString,
          wazuhRule: nullableString,
        },
      },
    },
    enrichment: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          provider: { type: 'string' },
          kind: { type: 'string' },
          value: { type: 'string' },
          state: { type: 'string', enum: ['pending', 'done', 'failed'] },
          verdict: nullableString,
          summary: nullableString,
          link: nullableString,
          country: nullableString,
          asn: nullableString,
          asOrg: nullableString,
          fetchedAt: { type: ['integer', 'null'] },
          error: nullableString,
        },
      },
    },
    actions: { type: 'array', items: actionSchema },
    responses: { type: 'array', items: responseSchema },
    audit: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, at: { type: 'integer' }, actor: { type: 'string' }, action: { type: 'string' }, result: { type: 'string' } },
      },
    },
    timeline: {
      type: 'array',
      items: { type: 'object', properties: { at: { type: 'integer' }, kind: { type: 'string' }, text: { type: 'string' } } },
    },
  },
} as const;

const csv = (v?: string) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function stateError(reply: FastifyReply, err: unknown) {
  if (err instanceof IncidentStateError) return reply.code(err.code === 'not_found' ? 404 : 409).send({ error: err.code, message: err.message });
  throw err;
}

export async function incidentRoutes(app: FastifyInstance, db: Kysely<Database>, responses?: ResponseService): Promise<void> {
  app.get<{ Querystring: { status?: string; level?: string; rule?: string; q?: string; limit: number; offset: number } }>(
    '/api/v1/incidents',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: 'The incident queue, newest activity first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', pattern: '^(open|acknowledged|resolved)(,(open|acknowledged|resolved))*$', description: 'comma-separated' },
            level: { type: 'string', pattern: `^(${LEVELS.join('|')})(,(${LEVELS.join('|')}))*$`, description: 'comma-separated' },
            rule: { type: 'string', maxLength: 200 },
            q: { type: 'string', maxLength: 200, description: 'text in the title (rule and entity)' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: incidentSchema }, total: { type: 'integer' } } }, ...guarded },
      },
    },
    async (req) => {
      const { status, level, rule, q, limit, offset } = req.query;
      return listIncidents(db, { status: csv(status), level: csv(level), rule, q, limit, offset });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/incidents/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: 'One incident: detections, evidence events, enrichment, actions with delivery state, proposed blocks, audit trail, timeline',
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

  for (const change of ['acknowledge', 'resolve', 'reopen'] as StatusChange[]) {
    app.post<{ Params: { id: string }; Body: { comment?: string } | undefined }>(
      `/api/v1/incidents/:id/${change}`,
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['incidents'],
          summary: `${change[0]!.toUpperCase()}${change.slice(1)} an incident`,
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 2000 } } },
          response: { 200: incidentSchema, 404: errorSchema, 409: errorSchema, ...guarded },
        },
      },
      async (req, reply) => {
        try {
          return await changeStatus(db, req.params.id, change, actorOf(who(req)), req.body?.comment);
        } catch (err) {
          return stateError(reply, err);
        }
      },
    );
  }
}
