// JSON schemas of the tuning loop's routes (src/server/routes/tuning.ts): per-rule quality, a proposed filter, a
// backtest's difference and accepted filters. The dashboard reads the same shapes (web/src/types.ts).
import type { FromSchema } from 'json-schema-to-ts';

const ms = { type: 'integer', description: 'epoch milliseconds' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

export const ruleQualitySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ruleId', 'title', 'level', 'mode', 'incidents', 'truePositive', 'falsePositive', 'benign', 'none', 'fpRatio', 'acknowledged', 'mttaMs', 'flagged', 'shadow'],
  properties: {
    ruleId: { type: 'string' },
    title: { type: 'string' },
    level: { type: 'string' },
    mode: { type: 'string' },
    incidents: { type: 'integer', description: 'incidents the rule opened in the period' },
    truePositive: { type: 'integer' },
    falsePositive: { type: 'integer' },
    benign: { type: 'integer' },
    none: { type: 'integer', description: 'incidents without a verdict yet' },
    fpRatio: { ...nullableNumber, description: 'false positives / incidents with a verdict; null without a verdict' },
    acknowledged: { type: 'integer' },
    mttaMs: { ...nullableNumber, description: 'mean time from opening to acknowledgement, over the acknowledged incidents' },
    flagged: { type: 'boolean', description: 'fpRatio reached tuning.fpThreshold among at least tuning.minVerdicts verdicts' },
    shadow: {
      type: 'object',
      additionalProperties: false,
      required: ['opened', 'detections', 'events', 'entities'],
      description: 'what the rule recorded in shadow mode: the incidents it would have opened',
      properties: { opened: { type: 'integer' }, detections: { type: 'integer' }, events: { type: 'integer' }, entities: { type: 'integer' } },
    },
  },
} as const;

export const qualityReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['since', 'until', 'fpThreshold', 'minVerdicts', 'rules'],
  properties: {
    since: ms,
    until: ms,
    fpThreshold: { type: 'number' },
    minVerdicts: { type: 'integer' },
    rules: { type: 'array', items: ruleQualitySchema },
  },
} as const;

export const proposalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ruleId', 'falsePositives', 'truePositives', 'filters', 'yaml'],
  properties: {
    ruleId: { type: 'string' },
    falsePositives: { type: 'integer', description: 'false-positive incidents read (with their evidence still stored)' },
    truePositives: { type: 'integer' },
    filters: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'ruleTitle', 'fields'],
        properties: {
          ruleId: { type: 'string', description: 'the detection rule the filter narrows' },
          ruleTitle: { type: 'string' },
          fields: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'field', 'values'],
              properties: {
                kind: { type: 'string', enum: ['account', 'host', 'source', 'process'] },
                field: { type: 'string' },
                values: { type: 'array', items: { type: 'string' } },
                cidr: { type: 'string' },
              },
            },
          },
        },
      },
    },
    yaml: { type: 'string', description: 'the proposed Sigma filter(s), multi-document YAML; empty when nothing can be proposed' },
    reason: { type: 'string', description: 'why nothing was proposed' },
  },
} as const;

const sketchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ruleId', 'title', 'entity', 'firstSeen', 'lastSeen', 'events'],
  properties: {
    ruleId: { type: 'string' },
    title: { type: 'string' },
    entity: { type: 'object', additionalProperties: { type: 'string' } },
    firstSeen: ms,
    lastSeen: ms,
    events: { type: 'integer' },
  },
} as const;

export const backtestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['since', 'until', 'alerts', 'parsed', 'unreadable', 'seconds', 'cpuSeconds', 'alertsPerSecond', 'replayedRules', 'totalRules', 'rules', 'totals'],
  properties: {
    since: ms,
    until: ms,
    alerts: { type: 'integer', description: 'stored alerts of the window replayed' },
    parsed: { type: 'integer', description: 'of them parsed (the others no rule of either side can match)' },
    unreadable: { type: 'integer' },
    seconds: { type: 'number' },
    cpuSeconds: { type: 'number' },
    alertsPerSecond: { type: 'integer' },
    replayedRules: { type: 'integer', description: 'rules replayed: those the proposal changes, the rules they read and the correlations that read them' },
    totalRules: { type: 'integer', description: 'rules on either side; the others are the same on both and cannot differ' },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'title', 'current', 'proposed', 'vanished', 'appeared', 'vanishedCount', 'appearedCount', 'changed'],
        properties: {
          ruleId: { type: 'string' },
          title: { type: 'string' },
          current: { type: 'integer', description: 'incidents with the rules in force' },
          proposed: { type: 'integer', description: 'incidents with the proposed rules or filters' },
          vanished: { type: 'array', items: sketchSchema, description: 'incidents that would no longer open (at most 100 listed)' },
          appeared: { type: 'array', items: sketchSchema, description: 'incidents that would open only with the proposal (at most 100 listed)' },
          vanishedCount: { type: 'integer' },
          appearedCount: { type: 'integer' },
          changed: { type: 'integer', description: 'incidents on both sides with a different event count' },
        },
      },
    },
    totals: {
      type: 'object',
      additionalProperties: false,
      required: ['current', 'proposed', 'vanished', 'appeared'],
      properties: { current: { type: 'integer' }, proposed: { type: 'integer' }, vanished: { type: 'integer' }, appeared: { type: 'integer' } },
    },
  },
} as const;

export const filterSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'rules', 'source'],
  properties: {
    title: { type: 'string' },
    id: { type: 'string' },
    rules: { type: 'array', items: { type: 'string' } },
    source: { type: 'string', description: 'the file it was loaded from (or accepted into)' },
  },
} as const;

export const acceptedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'rules', 'applied'],
  properties: {
    title: { type: 'string' },
    id: { type: 'string' },
    rules: { type: 'array', items: { type: 'string' } },
    applied: { type: 'array', items: { type: 'string' }, description: 'ids of the running rules it narrows now' },
  },
} as const;

export type RuleQualityView = FromSchema<typeof ruleQualitySchema>;
export type QualityReportView = FromSchema<typeof qualityReportSchema>;
export type ProposalView = FromSchema<typeof proposalSchema>;
export type BacktestView = FromSchema<typeof backtestSchema>;
export type AcceptedView = FromSchema<typeof acceptedSchema>;
