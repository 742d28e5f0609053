// The authorization scheme is case-insensitive (RFC 9110 §11.1), /metrics is not public (a scrape token, or a
// separate address), and logout from a browser session needs the session's CSRF token like any write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { freePort, post, startVigil, type Running } from '../helpers/vigil.js';

describe('authorization hardening', () => {
  let v: Running;
  let admin: Session;
  let apiToken: string;
  let metricsPort: number;

  before(async () => {
    metricsPort = await freePort();
    v = await startVigil({ ingest: { token: 'test-token' }, server: { metrics: { token: 'scrape-me', listen: `127.0.0.1:${metricsPort}` } } });
    admin = await userSession(v, 'ada', 'admin');
    const t = await call(v, 'POST', '/api/v1/tokens', admin, { name: 'ci', scope: 'viewer' });
    assert.equal(t.status, 201);
    apiToken = t.json.token;
  });
  after(() => v?.stop());

  it('accepts the Bearer scheme in any case, for ingest and API tokens', async () => {
    const body = ndjson([failedLogon4625({ ip: '192.0.2.77', time: new Date() })]);
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, body, { authorization: `${scheme} test-token` })).status, 202, scheme);
      const me = await fetch(`${v.url}/api/v1/auth/me`, { headers: { authorization: `${scheme}  ${apiToken}` } });
      assert.equal(me.status, 200, scheme);
    }
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, body, { authorization: 'Basic test-token' })).status, 401);
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, body, { authorization: 'Bearertest-token' })).status, 401);
  });

  it('/metrics on the main address needs the metrics token; nothing else opens it', async () => {
    const get = (authorization?: string) => fetch(`${v.url}/metrics`, { headers: authorization ? { authorization } : {} });
    const none = await get();
    assert.equal(none.status, 401);
    assert.ok(!(await none.text()).includes('vigil_'), 'nothing of the metrics leaks');
    assert.equal((await get('Bearer test-token')).status, 401, 'the ingest token does not read metrics');
    assert.equal((await get(`Bearer ${apiToken}`)).status, 401, 'nor an API token');
    const ok = await get('bearer scrape-me');
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /vigil_alerts_ingested_total/);
  });

  it('server.metrics.listen serves /metrics alone on its own address, without a token', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /vigil_alerts_ingested_total/);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/incidents`)).status, 404, 'nothing but metrics there');
  });

  it('the default is safe: a generated metrics token, and no metrics listener', async () => {
    const d = await startVigil();
    try {
      assert.equal(d.config.server.metrics.listen, '');
      assert.ok(d.vigil.metricsToken.length >= 24);
      assert.equal((await fetch(`${d.url}/metrics`)).status, 401);
    } finally {
      await d.stop();
    }
  });

  it('logout from a browser session without its CSRF token is refused, and the session stays', async () => {
    const s = await userSession(v, 'lou', 'viewer');
    const forged = await fetch(`${v.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: s.cookie } });
    assert.equal(forged.status, 403);
    assert.equal((await call(v, 'GET', '/api/v1/auth/me', s)).status, 200, 'still logged in');
    assert.equal((await call(v, 'POST', '/api/v1/auth/logout', s)).status, 204);
    assert.equal((await call(v, 'GET', '/api/v1/auth/me', s)).status, 401, 'logged out');
  });
});
