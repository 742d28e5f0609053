// Access control, route by route: every registered API route is tried as nobody, as a viewer (session and
// token), as an analyst and as an admin. A new write route without a role check fails here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditFor } from '../../src/store/audit.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, login, userSession, type Session } from '../helpers/session.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

const READ = new Set(['GET', 'HEAD']);

/** A concrete path for a route pattern: an existing incident or rule where the route takes an id. */
function concrete(url: string, ids: { incident: string; rule: string; event?: string }): string {
  if (url === '/api/v1/events/raw') return `${url}?id=${encodeURIComponent(ids.event ?? '')}`;
  if (url === '/api/v1/pivot') return `${url}?value=203.0.113.9`;
  if (url.startsWith('/api/v1/rules/')) return url.replace(':id', encodeURIComponent(ids.rule));
  if (/^\/api\/v1\/(tokens|responses|actions|suppressions)\//.test(url)) return url.replace(':id', '999');
  return url.replace(':id', ids.incident);
}

describe('access control', () => {
  let v: Running;
  let viewer: Session;
  let analyst: Session;
  let admin: Session;
  let viewerToken: string;
  let ids: { incident: string; rule: string; event?: string };

  before(async () => {
    v = await startVigil({ auth: { loginAttemptsPerMinute: 8 } });
    viewer = await userSession(v, 'vera', 'viewer');
    analyst = await userSession(v, 'anna', 'analyst');
    admin = await userSession(v, 'ada', 'admin');
    const t = await call(v, 'POST', '/api/v1/tokens', admin, { name: 'grafana', scope: 'viewer' });
    assert.equal(t.status, 201);
    viewerToken = t.json.token;
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.9', 6, new Date(), 1000)))).status, 202);
    let incident = '';
    await until(async () => {
      incident = (await call(v, 'GET', '/api/v1/incidents', admin)).json.items?.[0]?.id ?? '';
      return incident !== '';
    });
    const event = (await call(v, 'GET', `/api/v1/incidents/${incident}`, admin)).json.evidence[0].id;
    ids = { incident, rule: v.vigil.rules.rules[0]!.ref.id, event };
  });
  after(() => v?.stop());

  it('every API route declares its access, and the route list covers the write routes', () => {
    const routes = v.vigil.server.guardedRoutes;
    assert.ok(routes.length >= 15);
    for (const w of [
      'POST /api/v1/incidents/:id/acknowledge',
      'PUT /api/v1/rules/:id/mode',
      'POST /api/v1/tokens',
      'DELETE /api/v1/tokens/:id',
      'POST /api/v1/responses/:id/approve',
      'POST /api/v1/responses/:id/deny',
      'POST /api/v1/responses/:id/unblock',
      'POST /api/v1/actions/:id/retry',
      'POST /api/v1/incidents/:id/assign',
      'POST /api/v1/incidents/:id/verdict',
      'DELETE /api/v1/suppressions/:id',
    ])
      assert.ok(routes.some((r) => `${r.method} ${r.url}` === w), w);
  });

  it('without credentials, every non-public route answers 401', async () => {
    for (const r of v.vigil.server.guardedRoutes.filter((r) => r.access !== 'public' && r.method !== 'HEAD')) {
      const res = await call(v, r.method, concrete(r.url, ids), undefined, READ.has(r.method) ? undefined : {});
      assert.equal(res.status, 401, `${r.method} ${r.url}`);
    }
  });

  it('a viewer (session or token) reads every read route and changes nothing', async () => {
    for (const r of v.vigil.server.guardedRoutes.filter((r) => r.access !== 'public' && r.method !== 'HEAD')) {
      for (const who of [viewer, viewerToken]) {
        const res = await call(v, r.method, concrete(r.url, ids), who, READ.has(r.method) ? undefined : { mode: 'disabled', name: 'x', scope: 'admin', password: 'xxxxxxxxxxxx', role: 'admin' });
        if (READ.has(r.method) && r.access === 'viewer') assert.equal(res.status, 200, `${r.method} ${r.url}`);
        else assert.equal(res.status, 403, `${r.method} ${r.url} must refuse a viewer`);
      }
    }
    const detail = await call(v, 'GET', `/api/v1/incidents/${ids.incident}`, admin);
    assert.equal(detail.json.incident.status, 'open', 'nothing changed');
    assert.equal((await call(v, 'GET', '/api/v1/rules', admin)).json.every((r: any) => r.mode === 'enabled'), true);
  });

  it('an analyst acts on incidents and rules but cannot manage users or tokens', async () => {
    for (const r of v.vigil.server.guardedRoutes.filter((r) => r.access === 'admin' && r.method !== 'HEAD')) {
      const res = await call(v, r.method, concrete(r.url, ids), analyst, READ.has(r.method) ? undefined : { name: 'x', scope: 'admin', password: 'xxxxxxxxxxxx', role: 'admin' });
      assert.equal(res.status, 403, `${r.method} ${r.url}`);
    }
    const ack = await call(v, 'POST', `/api/v1/incidents/${ids.incident}/acknowledge`, analyst, { comment: 'looking' });
    assert.equal(ack.status, 200);
    assert.equal(ack.json.status, 'acknowledged');
    const again = await call(v, 'POST', `/api/v1/incidents/${ids.incident}/acknowledge`, analyst, {});
    assert.equal(again.status, 409);
    const trail = await auditFor(v.vigil.store.db, `incident:${ids.incident}`);
    assert.deepEqual(
      trail.map((t) => [t.actor, t.action, t.result]),
      [
        ['user:anna', 'incident.acknowledge', 'refused'],
        ['user:anna', 'incident.acknowledge', 'ok'],
      ],
    );
  });

  it('a browser-session write without the CSRF token is refused; with it, it passes', async () => {
    const path = `/api/v1/rules/${encodeURIComponent(ids.rule)}/mode`;
    const forged = await call(v, 'PUT', path, { cookie: analyst.cookie, csrf: 'guess' }, { mode: 'shadow' });
    assert.equal(forged.status, 403);
    assert.equal(forged.json.error, 'csrf');
    const other = await call(v, 'PUT', path, { cookie: analyst.cookie, csrf: admin.csrf }, { mode: 'shadow' });
    assert.equal(other.status, 403, "another session's token does not do");
    const ok = await call(v, 'PUT', path, analyst, { mode: 'enabled' });
    assert.equal(ok.status, 200);
  });

  it('API tokens are stored hashed, scoped, and stop working when revoked; the ingest token opens nothing else', async () => {
    const made = await call(v, 'POST', '/api/v1/tokens', admin, { name: 'soar', scope: 'analyst' });
    const token = made.json.token as string;
    assert.match(token, /^vgl_/);
    const stored = await v.vigil.store.db.selectFrom('api_tokens').selectAll().execute();
    assert.ok(stored.every((r) => !r.token_hash.includes(token) && r.token_hash.length === 64));
    assert.equal((await call(v, 'GET', '/api/v1/incidents', token)).status, 200);
    assert.equal((await call(v, 'GET', '/api/v1/tokens', token)).status, 403, 'an analyst-scoped token is no admin');
    assert.equal((await call(v, 'DELETE', `/api/v1/tokens/${made.json.id}`, admin)).status, 204);
    assert.equal((await call(v, 'GET', '/api/v1/incidents', token)).status, 401);
    const listed = await call(v, 'GET', '/api/v1/tokens', admin);
    assert.ok(listed.json.every((t: any) => !('token' in t) && !('token_hash' in t)));
    assert.equal((await call(v, 'GET', '/api/v1/incidents', 'test-token')).status, 401, 'the ingest token is not an API token');
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, '{}', { authorization: `Bearer ${viewerToken}` })).status, 401, 'an API token does not ingest');
  });

  it('passwords are stored as scrypt hashes; logins and failures are audited; logout ends the session', async () => {
    const rows = await v.vigil.store.db.selectFrom('users').select(['name', 'password_hash']).execute();
    assert.ok(rows.every((r) => r.password_hash.startsWith('scrypt$') && !r.password_hash.includes('correct horse')));
    const bad = await call(v, 'POST', '/api/v1/auth/login', undefined, { name: 'anna', password: 'wrong password' });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.message, 'wrong user name or password');
    const refused = await auditFor(v.vigil.store.db, 'user:anna');
    assert.ok(refused.some((r) => r.action === 'user.login' && r.result === 'refused'));
    const s = await login(v, 'vera');
    assert.equal((await call(v, 'POST', '/api/v1/auth/logout', s, {})).status, 204);
    assert.equal((await call(v, 'GET', '/api/v1/auth/me', s)).status, 401);
  });

  it('the session cookie is http-only, Secure and SameSite=Strict; pages carry security headers', async () => {
    const res = await fetch(`${v.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ada', password: 'correct horse battery' }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Strict/);
    const page = await fetch(`${v.url}/api/v1/incidents`);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  it('login is rate-limited per client address', async () => {
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++)
      status = (await call(v, 'POST', '/api/v1/auth/login', undefined, { name: 'nobody', password: 'nope' })).status;
    assert.equal(status, 429);
    const still = await call(v, 'POST', '/api/v1/auth/login', undefined, { name: 'ada', password: 'correct horse battery' });
    assert.equal(still.status, 429, 'even the right password waits out the window');
  });
});
