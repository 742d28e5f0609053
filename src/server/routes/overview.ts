// /api/v1/overview: the numbers on the dashboard's front page.
import type { Routes } from '../plugin.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { overview } from '../queries/overview.js';
import { guarded, overviewSchema } from '../schemas.js';

export const overviewRoutes: Routes<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/overview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['overview'],
        summary: 'Detections over time, top sources, users, countries and rules, MTTD and MTTA',
        querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 720, default: 24 } } },
        response: {
          200: overviewSchema,
          ...guarded,
        },
      },
    },
    (req) => overview(db, req.query.hours * 3_600_000, Math.min(48, req.query.hours * 2)),
  );
};
