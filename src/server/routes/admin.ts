// People and API tokens (admin only). A new token is shown once, in the answer that creates it.
import { sendNoContent, type Routes } from '../plugin.js';
import type { Kysely } from 'kysely';
import { audit } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import { actorOf, who } from '../auth/guard.js';
import { createToken, listTokens, revokeToken } from '../auth/tokens.js';
import { addUser, listUsers, UserError } from '../auth/users.js';
import { errorSchema, guarded, noContent, roleSchema, tokenSchema, userSchema } from '../schemas.js';


export const adminRoutes: Routes<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get('/users', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'List users', response: { 200: { type: 'array', items: userSchema }, ...guarded } } }, () =>
    listUsers(db),
  );

  app.post(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Add a user',
        body: {
          type: 'object',
          required: ['name', 'password', 'role'],
          additionalProperties: false,
          properties: { name: { type: 'string' }, password: { type: 'string' }, role: roleSchema },
        },
        response: { 201: userSchema, 400: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      try {
        const u = await addUser(db, req.body.name, req.body.password, req.body.role);
        await audit(db, { actor: actorOf(who(req)), action: 'user.add', target: `user:${u.name}`, result: 'ok', details: { role: u.role } });
        return reply.code(201).send(u);
      } catch (err) {
        if (err instanceof UserError) return reply.code(400).send({ error: 'bad_request', message: err.message });
        throw err;
      }
    },
  );

  app.get('/tokens', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'List API tokens (never their secrets)', response: { 200: { type: 'array', items: tokenSchema }, ...guarded } } }, () =>
    listTokens(db),
  );

  app.post(
    '/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create an API token; the answer holds the secret, shown only this once',
        body: {
          type: 'object',
          required: ['name', 'scope'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, scope: roleSchema },
        },
        response: { 201: { type: 'object', additionalProperties: false, required: ['id', 'token'], properties: { id: { type: 'integer' }, token: { type: 'string' } } }, ...guarded },
      },
    },
    async (req, reply) => {
      const actor = actorOf(who(req));
      const t = await createToken(db, req.body.name, req.body.scope, actor);
      await audit(db, { actor, action: 'token.create', target: `token:${t.id}`, result: 'ok', details: { name: req.body.name, scope: req.body.scope } });
      return reply.code(201).send(t);
    },
  );

  app.delete(
    '/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API token',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
        response: { 204: noContent, 404: errorSchema, ...guarded },
      },
    },
    async (req, reply) => {
      const ok = await revokeToken(db, req.params.id);
      await audit(db, { actor: actorOf(who(req)), action: 'token.revoke', target: `token:${req.params.id}`, result: ok ? 'ok' : 'not_found' });
      if (!ok) return reply.code(404).send({ error: 'not_found', message: `no active token ${req.params.id}` });
      return sendNoContent(reply);
    },
  );
};
