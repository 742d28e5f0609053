// /api/v1/overview: the numbers on the dashboard's front page.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { overview } from '../queries/overview.js';
import { guarded } from '../schemas.js';

const counted = { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } } } as const;
const ms = { type: ['integer', 'null'] } as const;

export async function overviewRoutes(app: FastifyInstance, db: Kysely<Database>): Promise<void> {
  app.get<{ Querystring: { hours: number } }>(
    '/api/v1/overview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['overview'],
        summary: 'Detections over time, top sources, users, countries and rules, MTTD and MTTA',
        querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 720, default: 24 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              since: { type: 'integer' },
              until: { type: 'integer' },
              bucketMs: { type: 'integer' },
              detectionsOverTime: { type: 'array', items: { type: 'object', properties: { at: { type: 'integer' }, count: { type: 'integer' } } } },
              topSources: counted,
              topUsers: counted,
              topRules: counted,
              topCountries: counted,
              openIncidents: { type: 'integer' },
              mttdMs: ms,
              mttaMs: ms,
            },
          },
          ...guarded,
        },
      },
    },
    (req) => overview(db, req.query.hours * 3_600_000, Math.min(48, req.query.hours * 2)),
  );
}
