// Access control for every route: each route under /api/v1 declares `config.access` (public or the role it
// needs); registering one that does not is an error, so a new write route cannot ship without a role check.
// Callers authenticate with the session cookie (browser; writes must echo the CSRF token) or an API token.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { allows, type Access, type Principal } from './roles.js';
export { actorOf } from './roles.js';
import { bearerToken } from './bearer.js';
import { sessionPrincipal } from './sessions.js';
import { tokenPrincipal } from './tokens.js';

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route registered with its access, for the route-by-route role tests. */
    guardedRoutes: { method: string; url: string; access: Access }[];
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: Access;
}

function deny(reply: FastifyReply, status: 401 | 403, error: string, message: string) {
  return reply.code(status).send({ error, message });
}

/** Finds who is calling, from a bearer API token or the session cookie. */
export async function principalOf(db: Kysely<Database>, req: FastifyRequest): Promise<Principal | null> {
  const token = bearerToken(req.headers.authorization);
  if (token) return tokenPrincipal(db, token);
  const sid = req.cookies?.[SESSION_COOKIE];
  if (sid) {
    const unsigned = req.unsignCookie(sid);
    if (unsigned.valid && unsigned.value) return sessionPrincipal(db, unsigned.value);
  }
  return null;
}

export function installGuard(app: FastifyInstance, db: Kysely<Database>): void {
  const routes: RegisteredRoute[] = [];
  app.decorate('guardedRoutes', routes);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url ?? '';
    if (!url.startsWith('/api/')) return;
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${url} declares no config.access`);
    for (const m of [route.method].flat()) routes.push({ method: String(m), url, access });
  });
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access;
    if (!access || access === 'public') return;
    const principal = await principalOf(db, req);
    if (!principal) return deny(reply, 401, 'unauthorized', 'log in or send an API token (Authorization: Bearer vgl_…)');
    if (principal.kind === 'user' && !SAFE.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || sent !== principal.csrfToken)
        return deny(reply, 403, 'csrf', `a write from a browser session must carry the ${CSRF_HEADER} header`);
    }
    if (!allows(principal.role, access)) return deny(reply, 403, 'forbidden', `this needs the ${access} role; you are ${principal.role}`);
    req.principal = principal;
  });
}

/** The principal of a guarded route's request (the guard has run). */
export function who(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('no principal: route is not guarded');
  return req.principal;
}
