// /api/v1/rules: the loaded rules with their mode and counts; analysts enable, disable or shadow them.
import type { Routes } from '../plugin.js';
import type { Kysely } from 'kysely';
import { refusalReason, type RuleSet } from '../../detect/rules.js';
import { audit } from '../../store/audit.js';
import { RULE_MODES, type RuleMode, type RuleModes } from '../../store/rule-modes.js';
import type { Database } from '../../store/schema.js';
import { actorOf, who } from '../auth/guard.js';
import { errorSchema, guarded, ruleSchema } from '../schemas.js';
import { detectionCountsByRule } from '../../triage/detections.js';

export interface RuleRoutesOptions {
  db: Kysely<Database>;
  rules: RuleSet;
  ruleModes: RuleModes;
}

const refusedSchema = {
  type: 'object',
  required: ['file', 'kind', 'reason', 'message'],
  properties: {
    file: { type: 'string' },
    rule: { type: 'string', description: 'the rule title, when it has one' },
    kind: { type: 'string', enum: ['rejected', 'unsupported'], description: 'rejected: invalid Sigma; unsupported: valid Sigma Vigil does not evaluate' },
    reason: { type: 'string', description: 'invalid, logsource, field, modifier, regex, correlation, placeholder, taxonomy, timeframe, keywords, reference or other' },
    message: { type: 'string', description: 'what was refused, naming the construct' },
  },
} as const;

export const ruleRoutes: Routes<RuleRoutesOptions> = async (app, { db, rules, ruleModes: modes }) => {
  async function view() {
    const states = await modes.states();
    const counts = await detectionCountsByRule(db);
    return rules.rules.map((r) => {
      const s = states.get(r.ref.id);
      return {
        id: r.ref.id,
        title: r.ref.title,
        level: r.ref.level,
        kind: r.kind,
        description: r.ref.description,
        tags: r.ref.tags,
        source: r.ref.source,
        mode: s?.mode ?? 'enabled',
        shadowHits: s?.shadowHits ?? 0,
        detections: counts.get(r.ref.id) ?? 0,
        updatedBy: s?.updatedBy,
        updatedAt: s?.updatedAt,
      };
    });
  }

  app.get(
    '/rules',
    { config: { access: 'viewer' }, schema: { tags: ['rules'], summary: 'Loaded rules with their mode and counts', response: { 200: { type: 'array', items: ruleSchema }, ...guarded } } },
    view,
  );

  // Rules of rules.paths that were refused at load and skipped (rules.strict: false), each with what it uses that
  // Vigil does not evaluate: the rules page lists them beside the loaded ones.
  app.get(
    '/rules/refused',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['rules'],
        summary: 'Rules refused at load and skipped, with the construct each uses that Vigil does not evaluate',
        response: { 200: { type: 'array', items: refusedSchema }, ...guarded },
      },
    },
    async () => rules.problems.map((p) => ({ file: p.file, rule: p.rule, kind: p.kind, reason: refusalReason(p), message: p.message })),
  );

  app.put(
    '/rules/:id/mode',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['rules'],
        summary: 'Enable, disable or shadow a rule (shadow: runs and counts, opens no incident, notifies nobody)',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } },
        body: { type: 'object', required: ['mode'], additionalProperties: false, properties: { mode: { type: 'string', enum: [...RULE_MODES] } } },
        response: { 200: ruleSchema, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      const rule = rules.rules.find((r) => r.ref.id === req.params.id);
      if (!rule) return reply.code(404).send({ error: 'not_found', message: `no loaded rule ${req.params.id}` });
      const actor = actorOf(who(req));
      const before = modes.mode(rule.ref.id);
      await modes.set(rule.ref.id, req.body.mode, actor);
      await audit(db, { actor, action: `rule.${req.body.mode}`, target: `rule:${rule.ref.id}`, result: 'ok', details: { from: before } });
      return (await view()).find((r) => r.id === rule.ref.id);
    },
  );
};
