// Login, logout and "who am I". Login is rate-limited per client address; a failure says nothing about which
// half of the credentials was wrong. Every login, failed login and logout is in the audit log.
import { sendNoContent, type Routes } from '../plugin.js';
import type { Kysely } from 'kysely';
import { audit } from '../../store/audit.js';
import type { Database } from '../../store/schema.js';
import { CSRF_HEADER, SESSION_COOKIE, principalOf, who } from '../auth/guard.js';
import { createSession, endSession } from '../auth/sessions.js';
import { checkLogin } from '../auth/users.js';
import { errorSchema, noContent } from '../schemas.js';

export interface AuthOptions {
  sessionTtlMs: number;
  secureCookies: boolean;
  loginAttemptsPerMinute: number;
}

const meSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'kind'],
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: ['viewer', 'analyst', 'admin'] },
    kind: { type: 'string', enum: ['user', 'token'] },
    csrfToken: { type: 'string', description: 'Send it back in the x-csrf-token header on every write from this session.' },
  },
} as const;

export const authRoutes: Routes<{ db: Kysely<Database>; auth: AuthOptions }> = async (app, { db, auth: o }) => {
  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: { max: o.loginAttemptsPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets the session cookie',
        body: {
          type: 'object',
          required: ['name', 'password'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        response: { 200: meSchema, 401: errorSchema },
      },
    },
    async (req, reply) => {
      const user = await checkLogin(db, req.body.name, req.body.password);
      if (!user) {
        await audit(db, { actor: `user:${req.body.name}`, action: 'user.login', target: `user:${req.body.name}`, result: 'refused', details: { ip: req.ip } });
        return reply.code(401).send({ error: 'unauthorized', message: 'wrong user name or password' });
      }
      const s = await createSession(db, user.name, o.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, s.id, {
        path: '/',
        httpOnly: true,
        secure: o.secureCookies,
        sameSite: 'strict',
        signed: true,
        expires: new Date(s.expiresAt),
      });
      await audit(db, { actor: `user:${user.name}`, action: 'user.login', target: `user:${user.name}`, result: 'ok', details: { ip: req.ip } });
      return { name: user.name, role: user.role, kind: 'user' as const, csrfToken: s.csrfToken };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'public' },
      schema: { tags: ['auth'], summary: 'Log out; ends the session', response: { 204: noContent, 403: errorSchema } },
    },
    async (req, reply) => {
      const p = await principalOf(db, req);
      // Like every write from a browser session: without the session's CSRF token another site cannot log its
      // user out (the session stays).
      if (p?.kind === 'user' && req.headers[CSRF_HEADER] !== p.csrfToken) {
        return reply.code(403).send({ error: 'csrf', message: `a write from a browser session must carry the ${CSRF_HEADER} header` });
      }
      if (p?.sessionHash) {
        await endSession(db, p.sessionHash);
        await audit(db, { actor: `user:${p.name}`, action: 'user.logout', target: `user:${p.name}`, result: 'ok' });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return sendNoContent(reply);
    },
  );

  app.get(
    '/auth/me',
    { config: { access: 'viewer' }, schema: { tags: ['auth'], summary: 'Who is calling, with the CSRF token of the session', response: { 200: meSchema } } },
    async (req) => {
      const p = who(req);
      return { name: p.name, role: p.role, kind: p.kind, csrfToken: p.csrfToken };
    },
  );
};
