// POST /api/v1/ingest/wazuh: one alert, a JSON array, or NDJSON. Answers 202 only after the batch is recorded.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAlerts, type AlertRecord } from '../store/alerts.js';
import { parseRecords } from '../sources/ndjson.js';
import { InputError, toEvent } from '../model/event.js';
import type { AppContext } from './context.js';

export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function ingestRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post(
    '/api/v1/ingest/wazuh',
    {
      logLevel: 'warn',
      // Public to the user guard: this route checks the ingest token itself, and no user token opens it.
      config: { access: 'public' },
      schema: {
        summary: 'Accept Wazuh alerts',
        description: 'One alert object, a JSON array of alerts, or NDJSON (Content-Type: application/x-ndjson). Bearer token required.',
        tags: ['ingest'],
        response: {
          202: {
            type: 'object',
            properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' } },
          },
        },
      },
    },
    async (req: FastifyRequest, reply) => {
      if (!bearerMatches(req.headers.authorization, ctx.ingestToken)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid ingest bearer token is required' });
      }
      if (ctx.backpressure && (await ctx.backpressure.behind())) {
        ctx.metrics?.backpressure.inc({ source: 'webhook' });
        return reply
          .code(503)
          .header('retry-after', String(ctx.backpressure.retryAfterSeconds))
          .send({ error: 'busy', message: 'the pipeline is behind; nothing of this request was recorded, send it again after Retry-After seconds' });
      }
      const body = typeof req.body === 'string' ? req.body : req.body === undefined ? '' : JSON.stringify(req.body);
      const ndjson = (req.headers['content-type'] ?? '').includes('ndjson');
      const batch: AlertRecord[] = [];
      try {
        for (const r of parseRecords(body, ndjson)) {
          let event;
          try {
            event = toEvent(r.value, r.text);
          } catch (err) {
            throw new InputError(`line ${r.line}: ${(err as Error).message}`);
          }
          batch.push({ key: event.key, eventId: event.id, format: event.format, source: 'webhook', body: r.text, event });
        }
      } catch (err) {
        if (err instanceof InputError) {
          ctx.metrics?.rejected.inc({ source: 'webhook' });
          return reply.code(400).send({ error: 'bad_request', message: err.message });
        }
        throw err;
      }
      let result;
      if (ctx.record) result = await ctx.record(batch);
      else {
        result = await recordAlerts(ctx.db, batch);
        ctx.metrics?.ingested.inc({ source: 'webhook' }, result.accepted);
        ctx.onRecorded();
      }
      return reply.code(202).send({ accepted: result.accepted, duplicates: result.duplicates });
    },
  );
}
