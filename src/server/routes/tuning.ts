// /api/v1/rules/quality, /rules/:id/filter-proposal, /rules/backtest, /rules/filters: the tuning loop (README
// "Tuning loop"). Reading quality is a viewer's; proposing, backtesting and accepting a filter an analyst's. A
// filter is applied only by the accept route, and every acceptance (or refusal) is audited.
import type { Routes } from '../plugin.js';
import { parseDuration } from '../../config/fragments.js';
import type { Tuning } from '../../tuning/service.js';
import { actorOf, who } from '../auth/guard.js';
import { errorSchema, guarded } from '../schemas.js';
import { acceptedSchema, backtestSchema, filterSchema, proposalSchema, qualityReportSchema } from '../schemas-tuning.js';

export interface TuningRoutesOptions {
  tuning: Tuning;
  /** The clock of the running Vigil. */
  now: () => number;
}

const period = { type: 'string', pattern: '^\\d+(m|h|d)$', description: 'how far back: 90m, 12h, 30d (default tuning.period)' } as const;
const filterText = { type: 'string', minLength: 1, maxLength: 65_536, description: 'Sigma filter document(s), YAML' } as const;

export const tuningRoutes: Routes<TuningRoutesOptions> = async (app, { tuning, now }) => {
  const since = (p: string | undefined) => (p === undefined ? undefined : now() - parseDuration(p));

  app.get(
    '/rules/quality',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['rules'],
        summary: "Per rule: its incidents of the period by verdict, false-positive ratio, mean time to acknowledge, whether it is flagged, and its shadow-mode evidence",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { period, since: { type: 'integer', minimum: 0, description: 'epoch ms (instead of period)' }, until: { type: 'integer', minimum: 0, description: 'epoch ms (default now)' } },
        },
        response: { 200: qualityReportSchema, ...guarded },
      },
    },
    async (req) => tuning.quality(req.query.since ?? since(req.query.period), req.query.until),
  );

  app.get(
    '/rules/:id/filter-proposal',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['rules'],
        summary: "A Sigma filter proposed from the rule's false-positive verdicts: what they share that its true positives lack. Applies nothing",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { period } },
        response: { 200: proposalSchema, 404: errorSchema, ...guarded },
      },
    },
    async (req) => tuning.propose(req.params.id, since(req.query.period)),
  );

  app.post(
    '/rules/backtest',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['rules'],
        summary: 'Replays the stored alerts of the period through the rules in force and through them with the given filters, and answers the difference in incidents per rule. Changes nothing live',
        body: { type: 'object', required: ['filters'], additionalProperties: false, properties: { filters: filterText, period } },
        response: { 200: backtestSchema, 400: errorSchema, 409: errorSchema, ...guarded },
      },
    },
    async (req) => tuning.backtest(req.body.filters, since(req.body.period) ?? now() - tuning.period),
  );

  app.get(
    '/rules/filters',
    {
      config: { access: 'viewer' },
      schema: { tags: ['rules'], summary: 'The Sigma filters in force: loaded with the rules or accepted since', response: { 200: { type: 'array', items: filterSchema }, ...guarded } },
    },
    async () => tuning.filters(),
  );

  app.post(
    '/rules/filters',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['rules'],
        summary: 'Accepts Sigma filter(s): applied to the running rules at once, kept in tuning.filtersFile for the next start, audited. All or nothing',
        body: { type: 'object', required: ['filters'], additionalProperties: false, properties: { filters: filterText } },
        response: { 200: { type: 'array', items: acceptedSchema }, 400: errorSchema, ...guarded },
      },
    },
    async (req) => tuning.accept(req.body.filters, actorOf(who(req))),
  );
};
