// The API's JSON schemas: validation in, serialization out, the OpenAPI document, and (through FromSchema) the
// request and reply types of the routes and the shapes the dashboard reads. Fragments used in several places are
// defined once here. Reply objects are closed (additionalProperties: false): serialization drops undeclared
// properties either way, and a closed schema gives a reply type without an index signature.
import type { FromSchema } from 'json-schema-to-ts';
import { INDICATOR_KINDS, LEVELS } from '../model/index.js';
import { RULE_MODES } from '../store/rule-modes.js';
import { VERDICTS } from '../triage/types.js';
import { ROLES } from './auth/roles.js';

export const errorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** `:id` of a row numbered by the store. */
export const numericId = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

/** The usual answers of a guarded route besides 200. */
export const guarded = { 401: errorSchema, 403: errorSchema } as const;

/** An empty answer (204). */
export const noContent = { type: 'null' } as const;

export const integer = { type: 'integer' } as const;
export const nullableInt = { type: ['integer', 'null'] } as const;
export const nullableString = { type: ['string', 'null'] } as const;

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export const ACTION_STATES = ['pending', 'running', 'delivered', 'failed', 'dead', 'refused'] as const;

const mitreList = { type: 'array', items: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string' }, name: { type: 'string' }, tactic: { type: 'string' } } } } as const;


export const responseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'incidentId', 'playbook', 'address', 'agents', 'mode', 'state', 'offence', 'durationMs', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    incidentId: { type: 'string' },
    playbook: { type: 'string' },
    address: { type: 'string' },
    agents: { type: 'array', items: { type: 'string' } },
    mode: { type: 'string' },
    state: {
      type: 'string',
      description: 'awaiting-approval, approved, denied, expired, refused, dry-run, blocking, blocked, failed, unblocked',
    },
    offence: { type: 'integer' },
    durationMs: { type: 'integer' },
    approvalExpiresAt: integer,
    blockedAt: integer,
    unblockAt: integer,
    unblockedAt: integer,
    decidedBy: { type: 'string' },
    reason: { type: 'string' },
    createdAt: { type: 'integer' },
  },
} as const;

export const actionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'channel', 'incidentId', 'state', 'attempts', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    incidentId: { type: 'string' },
    state: { type: 'string', enum: [...ACTION_STATES] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'integer' },
    lastError: { type: 'string' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    deliveredAt: integer,
    ref: { type: 'object', additionalProperties: false, required: ['externalId'], properties: { externalId: { type: 'string' }, thread: { type: 'string' }, url: { type: 'string' } } },
  },
} as const;

export const incidentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'status', 'level', 'ruleId', 'entity', 'firstSeen', 'lastSeen', 'detectionCount', 'eventCount', 'revision', 'createdAt', 'updatedAt', 'severity', 'escalated', 'mitre'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'string', enum: [...INCIDENT_STATUSES] },
    level: { type: 'string', enum: [...LEVELS] },
    ruleId: { type: 'string' },
    ruleTitle: { type: 'string', description: "the rule's title (a forwarded Wazuh alert: Wazuh's rule.description)" },
    entity: { type: 'object', additionalProperties: { type: 'string' } },
    firstSeen: { type: 'integer' },
    lastSeen: { type: 'integer' },
    detectionCount: { type: 'integer' },
    eventCount: { type: 'integer' },
    revision: { type: 'integer' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    severity: {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'level', 'reasons'],
      properties: {
        score: { type: 'integer' },
        level: { type: 'string' },
        reasons: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['factor', 'points', 'detail'], properties: { factor: { type: 'string' }, points: { type: 'number' }, detail: { type: 'string' } } } },
      },
    },
    escalated: { type: 'boolean' },
    loggedOn: {
      type: 'array',
      description: 'logons that succeeded in the evidence (the account that got in, from where, on which host, when): the accounts to disable',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'time', 'eventId'],
        properties: { user: { type: 'string' }, sourceIp: { type: 'string' }, host: { type: 'string' }, time: { type: 'integer' }, eventId: { type: 'string' } },
      },
    },
    indicatorsCapped: {
      type: 'array',
      description: 'indicator kinds of which the incident saw more evidence values than it keeps (1,000 of each): its lists of them are the first ones seen',
      items: { type: 'string', enum: [...INDICATOR_KINDS] },
    },
    mitre: mitreList,
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'whatHappened', 'affected', 'evidence', 'enrichment', 'nextSteps'],
      properties: {
        source: { type: 'string' },
        model: { type: 'string' },
        whatHappened: { type: 'string' },
        affected: { type: 'string' },
        evidence: { type: 'array', items: { type: 'string' } },
        enrichment: { type: 'string' },
        mitre: mitreList,
        nextSteps: { type: 'array', items: { type: 'string' } },
        generatedAt: { type: 'integer' },
      },
    },
    summaryState: { type: 'string' },
    assignee: { type: 'string' },
    acknowledgedAt: { type: 'integer' },
    acknowledgedBy: { type: 'string' },
    resolvedAt: { type: 'integer' },
    resolution: { type: 'string' },
    verdict: { type: 'string', enum: [...VERDICTS] },
    verdictComment: { type: 'string' },
    verdictBy: { type: 'string' },
    verdictAt: { type: 'integer' },
    resolvedBy: { type: 'string' },
    resolutionComment: { type: 'string' },
    lastDetectionAt: { type: 'integer', description: 'wall-clock time Vigil last folded a detection in (the queue sorts by it)' },
    users: { type: 'array', items: { type: 'string' }, description: 'distinct users of the evidence, one spelling per user (case-insensitive)' },
    indicators: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['kind', 'value', 'role'], properties: { kind: { type: 'string' }, value: { type: 'string' }, role: { type: 'string' } } } },
    links: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['incidentId', 'title', 'status', 'reason'], properties: { incidentId: { type: 'string' }, title: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
} as const;

export const suppressionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'indicator', 'reason', 'createdBy', 'createdAt', 'hits', 'active'],
  properties: {
    id: { type: 'integer' },
    ruleId: { type: 'string' },
    indicator: { type: 'object', additionalProperties: false, required: ['kind', 'value'], properties: { kind: { type: 'string' }, value: { type: 'string' } } },
    reason: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'integer' },
    expiresAt: { type: 'integer' },
    incidentId: { type: 'string' },
    hits: { type: 'integer' },
    active: { type: 'boolean', description: 'in force when read, by the server\'s clock (not expired)' },
  },
} as const;


/** One evidence row (src/server/queries/evidence.ts). */
export const evidenceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'time', 'agent', 'host', 'sourceIp', 'user', 'eventId', 'status', 'description', 'wazuhRule', 'rawUrl'],
  properties: {
    id: { type: 'string' },
    time: nullableInt,
    agent: nullableString,
    host: nullableString,
    sourceIp: nullableString,
    user: nullableString,
    eventId: nullableString,
    status: nullableString,
    description: nullableString,
    wazuhRule: nullableString,
    rawUrl: { type: 'string' },
  },
} as const;

/** One comment of an incident's thread. */
export const commentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'incidentId', 'author', 'at', 'text'],
  properties: { id: { type: 'integer' }, incidentId: { type: 'string' }, author: { type: 'string' }, at: { type: 'integer' }, text: { type: 'string' } },
} as const;

export const detailSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incident', 'inhibition', 'detections', 'evidence', 'evidenceTotal', 'comments', 'enrichment', 'actions', 'responses', 'audit', 'timeline'],
  properties: {
    incident: incidentSchema,
    inhibition: {
      type: ['object', 'null'],
      description: 'why its messages were last held back: a stronger incident open for the same entity (playbook inhibit); null: never',
      additionalProperties: false,
      required: ['mode', 'by', 'title', 'level', 'shared', 'change', 'playbooks', 'channels', 'at'],
      properties: {
        mode: { type: 'string', enum: ['silenced', 'folded'] },
        by: { type: 'string', description: 'the stronger incident' },
        title: { type: 'string' },
        level: { type: 'string' },
        shared: { type: 'object', additionalProperties: false, required: ['kind', 'value'], properties: { kind: { type: 'string' }, value: { type: 'string' } } },
        change: { type: 'string', description: 'the change whose messages were held back' },
        playbooks: { type: 'array', items: { type: 'string' } },
        channels: { type: 'array', items: { type: 'string' } },
        at: { type: 'integer' },
      },
    },
    detections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'ruleId', 'ruleTitle', 'level', 'time', 'firstTime', 'group', 'count'],
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
    evidence: { type: 'array', items: evidenceSchema },
    evidenceTotal: { type: 'integer', description: 'events counted (the incident eventCount); evidence lists up to 500 of them' },
    comments: { type: 'array', items: commentSchema },
    enrichment: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['provider', 'kind', 'value', 'state', 'verdict', 'summary', 'link', 'country', 'asn', 'asOrg', 'fetchedAt', 'error'],
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
          fetchedAt: nullableInt,
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
        additionalProperties: false,
        required: ['id', 'at', 'actor', 'action', 'result'],
        properties: { id: { type: 'integer' }, at: { type: 'integer' }, actor: { type: 'string' }, action: { type: 'string' }, result: { type: 'string' } },
      },
    },
    timeline: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['at', 'kind', 'text'], properties: { at: { type: 'integer' }, kind: { type: 'string' }, text: { type: 'string' }, actor: { type: 'string' } } },
    },
  },
} as const;

export const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'level', 'kind', 'tags', 'mode', 'shadowHits', 'detections'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    level: { type: 'string' },
    kind: { type: 'string', enum: ['detection', 'correlation'] },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    source: { type: 'string' },
    mode: { type: 'string', enum: [...RULE_MODES] },
    shadowHits: { type: 'integer', description: 'detections the rule would have fired while in shadow mode' },
    detections: { type: 'integer', description: 'detections recorded for this rule' },
    updatedBy: { type: 'string' },
    updatedAt: { type: 'integer' },
  },
} as const;

/** Top-N lists of the overview. */
export const counted = { type: 'array', items: { type: 'object', additionalProperties: false, required: ['value', 'count'], properties: { value: { type: 'string' }, count: { type: 'integer' } } } } as const;


export const overviewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['since', 'until', 'bucketMs', 'detectionsOverTime', 'topSources', 'topUsers', 'topRules', 'topCountries', 'openIncidents', 'mttdMs', 'mttaMs'],
  properties: {
    since: { type: 'integer' },
    until: { type: 'integer' },
    bucketMs: { type: 'integer' },
    detectionsOverTime: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['at', 'count'], properties: { at: { type: 'integer' }, count: { type: 'integer' } } } },
    topSources: counted,
    topUsers: counted,
    topRules: counted,
    topCountries: counted,
    openIncidents: { type: 'integer' },
    mttdMs: nullableInt,
    mttaMs: nullableInt,
  },
} as const;

// The shapes the dashboard reads, as the schemas above define them.
export type IncidentView = FromSchema<typeof incidentSchema>;
export type IncidentDetailView = FromSchema<typeof detailSchema>;
export type EnrichmentCardView = NonNullable<IncidentDetailView['enrichment']>[number];
export type EvidenceView = NonNullable<IncidentDetailView['evidence']>[number];
export type ActionView = FromSchema<typeof actionSchema>;
export type ResponseView = FromSchema<typeof responseSchema>;
export type RuleView = FromSchema<typeof ruleSchema>;
export type SuppressionView = FromSchema<typeof suppressionSchema>;
export type OverviewView = FromSchema<typeof overviewSchema>;

/** The stored alert behind an evidence row (GET /events/raw). */
export const rawAlertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'receivedAt', 'source', 'format', 'alert', 'pretty'],
  properties: {
    id: { type: 'string' },
    receivedAt: { type: 'integer' },
    source: { type: 'string' },
    format: { type: 'string' },
    alert: {},
    pretty: { type: 'string' },
  },
} as const;

/** Every incident and stored event holding one indicator (GET /pivot). */
export const pivotSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['indicator', 'incidents', 'events', 'retention'],
  properties: {
    indicator: { type: 'object', additionalProperties: false, required: ['kind', 'value'], properties: { kind: nullableString, value: { type: 'string' } } },
    incidents: { type: 'object', additionalProperties: false, required: ['items', 'total'], properties: { items: { type: 'array', items: incidentSchema }, total: { type: 'integer' } } },
    events: {
      type: 'object',
      additionalProperties: false,
      required: ['items', 'total', 'scanned', 'complete'],
      properties: {
        items: { type: 'array', items: { ...evidenceSchema, properties: { ...evidenceSchema.properties, incidentIds: { type: 'array', items: { type: 'string' } } } } },
        total: { type: 'integer' },
        scanned: { type: 'integer' },
        complete: { type: 'boolean' },
      },
    },
    retention: { type: 'object', additionalProperties: false, required: ['since'], properties: { since: { type: ['integer', 'null'] } } },
  },
} as const;

// Users and API tokens (admin).
export const roleSchema = { type: 'string', enum: [...ROLES] } as const;
export const userSchema = { type: 'object', additionalProperties: false, required: ['name', 'role', 'createdAt', 'disabled'], properties: { name: { type: 'string' }, role: roleSchema, createdAt: { type: 'integer' }, disabled: { type: 'boolean' } } } as const;
export const tokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'scope', 'createdBy', 'createdAt', 'lastUsedAt', 'revokedAt'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    scope: roleSchema,
    createdBy: { type: 'string' },
    createdAt: { type: 'integer' },
    lastUsedAt: { type: ['integer', 'null'] },
    revokedAt: { type: ['integer', 'null'] },
  },
} as const;
