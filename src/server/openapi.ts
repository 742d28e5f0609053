// The OpenAPI document (GET /api/v1/openapi.json) as the server really behaves. Routes declare their own
// schemas; what every route shares is added here, from what the route is: an operationId, the security it
// really takes (a public route none; ingest its own token), and the error answers the shared machinery gives
// (400 validation, 401/403 the guard, 413/415 body handling, 429 the login limit, 503 a full or unavailable
// store). What a route answers that no JSON schema can say (an HTML page, an NDJSON body) it declares in
// `config.openapi`, used for the document only.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { errorSchema } from './schemas.js';

export interface OpenApiExtras {
  /** The operation's request body, when a JSON schema cannot say it (e.g. NDJSON). */
  requestBody?: Record<string, unknown>;
  /** Answers the JSON schemas cannot say (HTML pages), merged over the generated ones. */
  responses?: Record<string, Record<string, unknown>>;
  /** Security other than the default (token or session). */
  security?: Record<string, string[]>[];
  /** Parameters beyond path, query and body (e.g. Content-Encoding). */
  parameters?: Record<string, unknown>[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: OpenApiExtras;
  }
}

const error = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });

export const ERROR_ANSWERS = {
  400: error('The request is not valid: the message names the field, line or value.'),
  401: error('Not authenticated: log in or send a valid bearer token.'),
  403: error('Authenticated, but the role does not allow it, or a write from a session lacks its x-csrf-token.'),
  413: error('The body is larger than server.bodyLimit.'),
  415: error('The body has a content type (or encoding) this operation does not take.'),
  429: error('Too many attempts from this address; Retry-After says when to try again.'),
  503: {
    ...error('The database or disk is full, or the database is unavailable: nothing was recorded; send it again after Retry-After seconds.'),
    headers: { 'Retry-After': { type: 'integer', description: 'Seconds to wait before sending again.' } },
  },
} as const;

/** e.g. `POST /api/v1/incidents/:id/acknowledge` → `postIncidentsByIdAcknowledge`. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/api\/v1\//, '')
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith(':') ? `by-${s.slice(1)}` : s))
    .join('-')
    .split(/[-_.]/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

type Schema = Record<string, any>;

function documented(schema: Schema, url: string, route: RouteOptions): Schema {
  const method = String([route.method].flat()[0]);
  const config = (route.config ?? {}) as { access?: string; rateLimit?: unknown; openapi?: OpenApiExtras };
  const extras = config.openapi ?? {};
  const response: Schema = { ...(schema.response ?? {}) };
  const add = (status: keyof typeof ERROR_ANSWERS) => {
    if (!(status in response)) response[status] = { ...ERROR_ANSWERS[status] };
  };
  if (schema.params || schema.querystring || schema.body || extras.requestBody) add(400);
  if (config.access !== 'public') {
    add(401);
    add(403);
  }
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    add(413);
    if (schema.body) add(415);
  }
  if (config.rateLimit) add(429);
  add(503);
  return {
    ...schema,
    operationId: schema.operationId ?? operationIdOf(method, url),
    ...(config.access === 'public' || extras.security ? { security: extras.security ?? [] } : {}),
    response,
  };
}

export function swaggerOptions(): FastifyDynamicSwaggerOptions {
  // The per-operation parts kept aside by `transform` and set by `transformObject` (they have no route-schema form).
  const pending = new Map<string, OpenApiExtras>();
  const doc: FastifyDynamicSwaggerOptions = {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        version: '1',
        description: 'Incidents, rules, actions and access of a Vigil SOC analyst.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      servers: [{ url: '/', description: 'This Vigil (the address the document was read from).' }],
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer', description: 'An API token (vgl_…) made by an admin.' },
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session', description: 'Dashboard login; writes also need the x-csrf-token header.' },
          ingestToken: { type: 'http', scheme: 'bearer', description: 'The ingest token (ingest.token): it only ingests, and nothing else opens ingest.' },
        },
      },
      security: [{ token: [] }, { session: [] }],
    },
    transform: ({ schema, url, route }) => {
      const out = documented((schema ?? {}) as Schema, url, route);
      const extras = (route.config as { openapi?: OpenApiExtras } | undefined)?.openapi;
      if (extras) pending.set(out.operationId, extras);
      return { schema: out as never, url };
    },
    transformObject: (documentObject) => {
      const openapiObject = (documentObject as { openapiObject: Schema }).openapiObject;
      for (const ops of Object.values(openapiObject.paths ?? {})) {
        for (const op of Object.values(ops as Record<string, Schema>)) {
          const extras = pending.get(op?.operationId);
          if (!extras) continue;
          if (extras.requestBody) op.requestBody = extras.requestBody;
          if (extras.parameters) op.parameters = [...(op.parameters ?? []), ...extras.parameters];
          if (extras.responses) for (const [status, r] of Object.entries(extras.responses)) op.responses[status] = { ...(op.responses[status] ?? {}), ...r };
        }
      }
      return openapiObject as never;
    },
  };
  return doc;
}
