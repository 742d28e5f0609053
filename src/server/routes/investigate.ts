// What an analyst investigates with beyond the incident itself: the raw alert behind an evidence row, the
// incident's comment thread, and the pivot from one indicator to every incident and stored alert holding it.
import type { Kysely } from 'kysely';
import { httpStatusOf } from '../../errors.js';
import type { Routes } from '../plugin.js';
import { alertsByEventIds } from '../../store/alerts.js';
import type { Database } from '../../store/schema.js';
import { addComment, commentsOf, MAX_COMMENT } from '../../triage/comments.js';
import type { TriageContext } from '../../triage/context.js';
import { TriageError } from '../../triage/types.js';
import { incidentExists } from '../../triage/record.js';
import { actorOf, who } from '../auth/guard.js';
import { pivot } from '../queries/pivot.js';
import { commentSchema, errorSchema, guarded, idParams, pivotSchema, rawAlertSchema } from '../schemas.js';

const KINDS = ['ip', 'user', 'host', 'hash', 'domain', 'url'] as const;

export interface InvestigateRoutesOptions {
  db: Kysely<Database>;
  triage: TriageContext;
}

export const investigateRoutes: Routes<InvestigateRoutesOptions> = async (app, { db, triage }) => {
  app.get(
    '/events/raw',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: 'The stored alert behind an evidence row, parsed and as formatted JSON (event ids may hold "/", so the id is a query parameter)',
        querystring: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 512 } } },
        response: {
          200: rawAlertSchema,
          404: errorSchema,
          ...guarded,
        },
      },
    },
    async (req, reply) => {
      const a = (await alertsByEventIds(db, [req.query.id])).at(-1); // the newest copy, if two managers sent one id
      if (!a) return reply.code(404).send({ error: 'not_found', message: `no stored alert ${req.query.id} (never stored, or past retention)` });
      let alert: unknown;
      try {
        alert = JSON.parse(a.body);
      } catch {
        alert = a.body;
      }
      return { id: a.eventId, receivedAt: a.receivedAt, source: a.source, format: a.format, alert, pretty: typeof alert === 'string' ? alert : JSON.stringify(alert, null, 2) };
    },
  );

  app.get(
    '/incidents/:id/comments',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: "The incident's comment thread, oldest first",
        params: idParams,
        response: { 200: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: commentSchema } } }, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      if (!(await incidentExists(db, req.params.id))) return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      return { items: await commentsOf(db, req.params.id) };
    },
  );

  app.post(
    '/incidents/:id/comments',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['incidents'],
        summary: 'Add a comment to the incident (also an audit row and a timeline entry)',
        params: idParams,
        body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: MAX_COMMENT } } },
        response: { 201: commentSchema, 400: errorSchema, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      try {
        return reply.code(201).send(await addComment(triage, req.params.id, actorOf(who(req)), req.body.text));
      } catch (err) {
        if (!(err instanceof TriageError)) throw err;
        return reply.code((httpStatusOf(err) ?? 400) as 400).send({ error: err.code, message: err.message });
      }
    },
  );

  app.get(
    '/pivot',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['incidents'],
        summary: 'Every incident and stored alert holding an indicator (users case-insensitively), as far back as alerts are kept',
        querystring: {
          type: 'object',
          required: ['value'],
          additionalProperties: false,
          properties: {
            value: { type: 'string', minLength: 1, maxLength: 512 },
            kind: { type: 'string', enum: [...KINDS] },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: {
          200: pivotSchema,
          ...guarded,
        },
      },
    },
    (req) => pivot(db, req.query.value, req.query.kind, req.query.limit),
  );
};
