// The Fastify server: health, metrics, the API under /api/v1.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppContext } from './context.js';
import { ingestRoutes } from './ingest.js';

export interface ServerOptions {
  bodyLimit: number;
  logger: Logger;
}

export async function buildServer(ctx: AppContext, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, bodyLimit: options.bodyLimit });
  // Bodies are read as text: the ingest route parses them itself, so errors can name the line.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const message =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body is larger than the limit of ${options.bodyLimit} bytes (server.bodyLimit)`
        : status >= 500
          ? 'internal error'
          : err.message;
    return reply.code(status).send({ error: status === 413 ? 'payload_too_large' : status >= 500 ? 'internal' : 'bad_request', message });
  });

  // Health probes and ingest are hot and routine: their request logs stay below info.
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => (ctx.ready() ? { status: 'ready' } : reply.code(503).send({ status: 'starting' })));
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => {
    if (!ctx.metrics) return reply.code(404).send();
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  await ingestRoutes(app, ctx);
  return app as unknown as FastifyInstance;
}
