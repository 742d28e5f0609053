// POST /api/v1/ingest/wazuh: one alert, a JSON array, or NDJSON. Answers 202 only after the batch is recorded.
import type { Routes } from './plugin.js';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { recordAlerts, type AlertRecord } from '../store/alerts.js';
import { parseRecords } from '../sources/ndjson.js';
import { InputError, toEvent } from '../model/event.js';
import { oneLine } from '../model/one-line.js';
import { storeErrorKind } from '../store/errors.js';
import { VigilError } from '../errors.js';
import { bearerToken } from './auth/bearer.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/schema.js';
import type { Kysely } from 'kysely';
import type { IngestContext } from './context.js';
import { errorSchema } from './schemas.js';
import { BodyError, decodeBody, decodeText } from './ingest-body.js';

const DEFAULT_MAX_ALERT_BYTES = 1024 * 1024;

export function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = bearerToken(header);
  if (!sent) return false;
  const given = Buffer.from(sent);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const alertSchema = { type: 'object', description: 'A Wazuh alert as Wazuh writes it to alerts.json (or an evtx_dump Windows event).', additionalProperties: true };

/** What the route schema cannot say: its own token, a body in three shapes, gzip. */
const INGEST_OPENAPI = {
  security: [{ ingestToken: [] }],
  requestBody: {
    required: true,
    content: {
      'application/json': { schema: { oneOf: [alertSchema, { type: 'array', items: alertSchema }] } },
      'application/x-ndjson': { schema: { type: 'string', description: 'One alert per line.' } },
    },
  },
  parameters: [{ name: 'Content-Encoding', in: 'header', required: false, schema: { type: 'string', enum: ['gzip', 'identity'] }, description: 'gzip: the body is gzip-compressed.' }],
  responses: { 503: { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before sending again.' } } } },
};

export type IngestRoutesOptions = IngestContext & {
  db: Kysely<Database>;
  metrics?: Metrics;
  /** server.bodyLimit, also the limit of a gzip body once decompressed. */
  bodyLimit?: number;
};

export const ingestRoutes: Routes<IngestRoutesOptions> = async (app, ctx) => {
  app.post(
    '/ingest/wazuh',
    {
      logLevel: 'warn',
      // Machines post here and read only the status and a small JSON answer: the dashboard's security headers
      // (helmet builds them per request) protect nothing on it; nosniff is set by hand.
      helmet: false,
      // Public to the user guard: this route checks the ingest token itself, and no user token opens it.
      config: { access: 'public', openapi: INGEST_OPENAPI },
      schema: {
        operationId: 'ingestWazuhAlerts',
        summary: 'Accept Wazuh alerts',
        description:
          'One alert object (compact or pretty-printed), a JSON array of alerts, or NDJSON (Content-Type: application/x-ndjson), optionally gzip-compressed (Content-Encoding: gzip). Needs the ingest token. Answers 202 only once the alerts are recorded; a refused request records nothing.',
        tags: ['ingest'],
        response: {
          202: {
            type: 'object',
            additionalProperties: false,
            required: ['accepted', 'duplicates'],
            properties: { accepted: { type: 'integer', description: 'Alerts recorded now.' }, duplicates: { type: 'integer', description: 'Alerts already recorded before (by id), not recorded again.' } },
          },
          400: { description: 'Not valid: the message names the line (or array element) and what is wrong.', ...errorSchema },
          401: { description: 'Missing or wrong ingest token.', ...errorSchema },
          413: { description: 'The body, or the body once decompressed, is larger than server.bodyLimit.', ...errorSchema },
          415: { description: 'A Content-Encoding other than gzip.', ...errorSchema },
          503: {
            description: 'The pipeline is behind (backpressure), the database or disk is full or unavailable, or (cluster mode) the NATS JetStream stream did not acknowledge: nothing was recorded; send it again after Retry-After seconds.',
            ...errorSchema,
          },
        },
      },
    },
    async (req: FastifyRequest, reply) => {
      if (!bearerMatches(req.headers.authorization, ctx.token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid ingest bearer token is required' });
      }
      if (ctx.backpressure && (await ctx.backpressure.behind())) {
        ctx.metrics?.backpressure.inc({ source: 'webhook' });
        return reply
          .code(503)
          .header('retry-after', String(ctx.backpressure.retryAfterSeconds))
          .send({ error: 'busy', message: 'the pipeline is behind; nothing of this request was recorded, send it again after Retry-After seconds' });
      }
      const ndjson = (req.headers['content-type'] ?? '').includes('ndjson');
      const maxAlertBytes = ctx.maxAlertBytes ?? DEFAULT_MAX_ALERT_BYTES;
      const batch: AlertRecord[] = [];
      try {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
        const body = decodeText(await decodeBody(raw, req.headers['content-encoding'], ctx.bodyLimit ?? raw.length * 100));
        for (const r of parseRecords(body, ndjson)) {
          const size = Buffer.byteLength(r.text);
          if (size > maxAlertBytes) throw new InputError(`${r.where}: ${size} bytes, more than ingest.maxAlertBytes (${maxAlertBytes})`);
          let event;
          try {
            event = toEvent(r.value, r.text);
          } catch (err) {
            throw new InputError(`${r.where}: ${(err as Error).message}`);
          }
          batch.push({ key: event.key, eventId: event.id, format: event.format, source: 'webhook', body: r.text, event });
        }
      } catch (err) {
        if (err instanceof InputError || err instanceof BodyError) {
          ctx.metrics?.rejected.inc({ source: 'webhook' });
          if (err instanceof BodyError) return reply.code(err.status).send({ error: err.code, message: err.message });
          return reply.code(400).send({ error: 'bad_request', message: err.message });
        }
        throw err;
      }
      let result;
      try {
        if (ctx.record) result = await ctx.record(batch);
        else {
          result = await recordAlerts(ctx.db, batch);
          ctx.metrics?.ingested.inc({ source: 'webhook' }, result.accepted);
          ctx.onRecorded();
        }
      } catch (err) {
        // Cluster mode: JetStream did not acknowledge (NATS down or slow). Nothing is acknowledged; the sender retries.
        if (err instanceof VigilError && err.code === 'stream_unavailable') {
          ctx.metrics?.clusterUnavailable.inc({ source: 'webhook' });
          req.log.warn({ err: err.message }, 'ingest answered 503: the alert stream did not acknowledge');
          return reply
            .code(503)
            .header('retry-after', String(ctx.backpressure?.retryAfterSeconds ?? 5))
            .send({ error: 'stream_unavailable', message: `${err.message}; nothing of this request was recorded, send it again after Retry-After seconds` });
        }
        // The store refused this request's own data (group commit has already kept it from failing others'):
        // the sender's problem, named, not a 500. A full or unavailable store is a 503 (the error handler).
        if ((err as { code?: unknown }).code === undefined || storeErrorKind(err) !== 'refused') throw err;
        ctx.metrics?.rejected.inc({ source: 'webhook' });
        return reply.code(400).send({ error: 'bad_request', message: `the store refused these alerts: ${oneLine((err as Error).message, 300)}` });
      }
      return reply.code(202).header('x-content-type-options', 'nosniff').send({ accepted: result.accepted, duplicates: result.duplicates });
    },
  );
};
