// The Fastify server: health, metrics, the API under /api/v1 with its OpenAPI document, and the dashboard.
import { systemClock } from '../clock.js';
import { httpStatusOf, VigilError } from '../errors.js';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore } from './auth/rate-limits.js';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installGuard } from './auth/guard.js';
import type { AppContext } from './context.js';
import { swaggerOptions } from './openapi.js';
import { STORE_RETRY_AFTER_SECONDS, StoreTroubleLog, storeTrouble } from '../store/errors.js';
import { approvalRoutes } from './approvals.js';
import { bearerMatches, ingestRoutes } from './ingest.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { incidentRoutes } from './routes/incidents.js';
import { investigateRoutes } from './routes/investigate.js';
import { overviewRoutes } from './routes/overview.js';
import { responseRoutes } from './routes/responses.js';
import { ruleRoutes } from './routes/rules.js';
import { tuningRoutes } from './routes/tuning.js';
import { suppressionRoutes } from './routes/suppressions.js';

export interface ServerOptions {
  bodyLimit: number;
  logger: Logger;
}

/** The dashboard's CSP: its own scripts, styles and API only; no inline code, no framing. */
export const DASHBOARD_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Every API route is registered under this prefix. */
export const API = '/api/v1';

export async function buildServer(ctx: AppContext, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, bodyLimit: options.bodyLimit, trustProxy: false });

  const storeTroubles = new StoreTroubleLog('requests are answered 503 with Retry-After');
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    // A full disk or an unreachable store is the server's trouble, not a bug: 503 with Retry-After (the sender
    // retries), and one loud log line naming it instead of a stack trace per request.
    const trouble = err.statusCode === undefined ? storeTrouble(err) : undefined;
    if (trouble) {
      storeTroubles.report(req.log, trouble, err);
      const message = trouble === 'full' ? 'the database or disk is full' : 'the database is unavailable';
      return reply
        .code(503)
        .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        .send({ error: trouble === 'full' ? 'store_full' : 'store_unavailable', message: `${message}: nothing of this request was recorded; send it again after Retry-After seconds` });
    }
    // Errors of Vigil's own map by their code (errors.ts); Fastify's carry a statusCode.
    const status = err.statusCode ?? httpStatusOf(err) ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const message =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body is larger than the limit of ${options.bodyLimit} bytes (server.bodyLimit)`
        : status >= 500
          ? 'internal error'
          : err.message;
    const error =
      status === 413 ? 'payload_too_large' : status === 429 ? 'rate_limited' : status >= 500 ? 'internal' : err instanceof VigilError ? String(err.code) : 'bad_request';
    return reply.code(status).send({ error, message });
  });

  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: DASHBOARD_CSP } });
  await app.register(cookie, { secret: ctx.auth.cookieSecret });
  // Counters in the store: nodes sharing it count a client's attempts together.
  await app.register(rateLimit, { global: false, store: rateLimitStore(ctx.db) });
  await app.register(swagger, swaggerOptions());
  installGuard(app, ctx.db);

  // Health probes and ingest are hot and routine: their request logs stay below info.
  app.get('/healthz', { logLevel: 'warn', schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn', schema: { hide: true } }, async (_req, reply) =>
    ctx.ready() ? { status: 'ready' } : reply.code(503).send({ status: 'starting' }),
  );
  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (req, reply) => {
    if (!ctx.metrics) return reply.code(404).send();
    const { counters, token, collect } = ctx.metrics;
    // Metrics name rules and counts: only a scraper holding the metrics token reads them here.
    if (!token || !bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'send the metrics token (server.metrics.token) as Authorization: Bearer …' });
    }
    await collect?.();
    return reply.type(counters.registry.contentType).send(await counters.registry.metrics());
  });
  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  // Ingest reads its body as text and parses it itself, so errors can name the line: its own parser, in its own scope.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Bytes, not text: the route decompresses gzip and refuses invalid UTF-8 itself (a string parser would
    // silently turn bad bytes into U+FFFD).
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    await scope.register(ingestRoutes, { prefix: API, ...ctx.ingest, db: ctx.db, metrics: ctx.metrics?.counters, bodyLimit: options.bodyLimit });
  });
  // Each area's routes are a plugin given only what it needs.
  await app.register(authRoutes, { prefix: API, db: ctx.db, auth: ctx.auth });
  await app.register(adminRoutes, { prefix: API, db: ctx.db });
  await app.register(incidentRoutes, { prefix: API, db: ctx.db, triage: ctx.triage, responses: ctx.act.responses });
  await app.register(suppressionRoutes, { prefix: API, db: ctx.db, triage: ctx.triage });
  await app.register(investigateRoutes, { prefix: API, db: ctx.db, triage: ctx.triage });
  await app.register(ruleRoutes, { prefix: API, db: ctx.db, ...ctx.detect });
  if (ctx.tuning) await app.register(tuningRoutes, { prefix: API, tuning: ctx.tuning, now: ctx.triage.clock ?? systemClock });
  await app.register(overviewRoutes, { prefix: API, db: ctx.db });
  await app.register(responseRoutes, { prefix: API, db: ctx.db, ...ctx.act });
  // Approval pages post HTML forms: their own text parser, like ingest.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    await scope.register(approvalRoutes, { prefix: API, ...ctx.act, db: ctx.db, triage: ctx.triage });
  });

  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  if (ctx.webRoot) await app.register(fastifyStatic, { root: ctx.webRoot, prefix: '/', index: ['index.html'] });
  return app as unknown as FastifyInstance;
}
