// The shape of a group of routes: a Fastify plugin given what it needs as options, with request and reply
// types inferred from its JSON schemas. app.ts registers each under /api/v1.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyReply } from 'fastify';

export type Routes<Options extends object> = FastifyPluginAsyncJsonSchemaToTs<{ Options: Options }>;

/**
 * A 204 answer without a body. The route's schema documents it as `type: null`; `send()` writes nothing (where
 * `send(null)` would serialize "null" with a JSON content type).
 */
export function sendNoContent(reply: { code(status: 204): unknown }): FastifyReply {
  return (reply.code(204) as FastifyReply).send();
}
