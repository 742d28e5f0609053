// A second address that serves only GET /metrics (server.metrics.listen): for a scraper that cannot send a
// token, on an address the operator chooses (loopback or a monitoring network), never the public one.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';

export async function metricsListener(metrics: Metrics, collect: (() => Promise<void>) | undefined, listen: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    await collect?.();
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const at = listen.lastIndexOf(':');
  await app.listen({ host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) });
  return app;
}
