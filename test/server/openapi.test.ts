// The OpenAPI document is exact: a real OpenAPI linter (@redocly/openapi-core, its recommended rules) finds
// nothing in it, every operation names itself and says what security it takes, every response object says
// which properties it always has, and real answers of every route — errors included — match it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv } from 'ajv';
import { burst, ndjson } from '../helpers/fixtures.js';
import { userSession, type Session } from '../helpers/session.js';
import { startVigil, until, type Running } from '../helpers/vigil.js';

type Schema = Record<string, any>;

/** OpenAPI 3.0 schema → JSON Schema for Ajv: `nullable` becomes a null type, OpenAPI-only keys go. */
function jsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(jsonSchema);
  if (!s || typeof s !== 'object') return s;
  const o: Schema = {};
  for (const [k, v] of Object.entries(s as Schema)) {
    if (k === 'nullable' || k === 'example' || k === 'xml' || k === 'externalDocs' || k === 'deprecated') continue;
    o[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, x]) => [p, jsonSchema(x)])) : jsonSchema(v);
  }
  if ((s as Schema).nullable) {
    if (typeof o.type === 'string') o.type = [o.type, 'null'];
    if (Array.isArray(o.enum)) o.enum = [...o.enum, null];
  }
  return o;
}

describe('the OpenAPI document', () => {
  let v: Running;
  let doc: Schema;
  let admin: Session;
  let viewer: Session;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const checked = new Map<string, Set<number>>();

  /** Finds the documented response for a real answer and validates its body against it. */
  async function check(method: string, path: string, res: Response): Promise<{ status: number; body: unknown }> {
    const text = await res.text();
    const entry = Object.entries(doc.paths as Schema).find(([p]) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]!));
    assert.ok(entry, `${method} ${path} is not in the document`);
    const op = entry[1][method.toLowerCase()];
    assert.ok(op, `${method} ${entry[0]} is not in the document`);
    const documented = op.responses[String(res.status)];
    assert.ok(documented, `${method} ${entry[0]} answered ${res.status}, which the document does not list (${Object.keys(op.responses)}): ${text.slice(0, 200)}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    let body: unknown = text;
    if (res.status === 204) assert.equal(text, '');
    else {
      const media = documented.content?.[type];
      assert.ok(media, `${method} ${entry[0]} ${res.status} answered ${type}, documented: ${Object.keys(documented.content ?? {})}`);
      if (type === 'application/json') body = JSON.parse(text);
      const validate = ajv.compile(jsonSchema(media.schema) as object);
      assert.ok(validate(body), `${method} ${path} ${res.status} does not match its schema: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
    }
    const key = `${method} ${entry[0]}`;
    checked.set(key, (checked.get(key) ?? new Set()).add(res.status));
    return { status: res.status, body };
  }

  const request = async (method: string, path: string, o: { session?: Session; token?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.session) {
      headers.cookie = o.session.cookie;
      if (method !== 'GET') headers['x-csrf-token'] = o.session.csrf;
    }
    if (o.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return check(method, path, await fetch(`${v.url}${path}`, { method, headers, body: o.body as BodyInit | undefined }));
  };

  before(async () => {
    v = await startVigil({ ingest: { token: 'test-token' }, server: { bodyLimit: 64 * 1024 }, auth: { loginAttemptsPerMinute: 5 } });
    doc = (await (await fetch(`${v.url}/api/v1/openapi.json`)).json()) as Schema;
    admin = await userSession(v, 'ada', 'admin');
    viewer = await userSession(v, 'vera', 'viewer');
  });
  after(() => v?.stop());

  it('passes the Redocly linter (recommended rules) with no error and no warning', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    assert.deepEqual(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`), []);
  });

  it('names every operation, gives it a summary, and says the security it really takes', () => {
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Schema)) {
      for (const [method, op] of Object.entries(ops as Schema)) {
        assert.ok(op.operationId && !ids.has(op.operationId), `${method} ${path}: a unique operationId`);
        ids.add(op.operationId);
        assert.ok(op.summary, `${method} ${path}: a summary`);
        assert.ok(op.responses['503'], `${method} ${path}: 503 (store full or unavailable) is documented`);
      }
    }
    const ingest = doc.paths['/api/v1/ingest/wazuh'].post;
    assert.deepEqual(ingest.security, [{ ingestToken: [] }], 'ingest takes its own token, not an API token');
    assert.deepEqual(Object.keys(ingest.requestBody.content).sort(), ['application/json', 'application/x-ndjson']);
    assert.deepEqual(Object.keys(ingest.responses).sort(), ['202', '400', '401', '413', '415', '503']);
    for (const p of ['/api/v1/auth/login', '/api/v1/approvals/{id}']) assert.deepEqual(doc.paths[p].post.security, [], `${p} needs no token or session`);
    assert.deepEqual(doc.paths['/api/v1/approvals/{id}'].get.security, []);
    assert.ok(doc.paths['/api/v1/auth/login'].post.responses['429'], 'the login limit is documented');
    assert.ok(doc.paths['/api/v1/incidents'].get.responses['401'] && doc.paths['/api/v1/incidents'].get.responses['400']);
    assert.equal(doc.paths['/api/v1/incidents'].get.security, undefined, 'guarded routes take the API token or the session');
  });

  it('every response object says which properties it always has', () => {
    const missing: string[] = [];
    const walk = (s: Schema | undefined, where: string) => {
      if (!s || typeof s !== 'object') return;
      if (s.properties && Object.keys(s.properties).length > 0 && !Array.isArray(s.required)) missing.push(where);
      for (const [n, x] of Object.entries((s.properties ?? {}) as Schema)) walk(x, `${where}.${n}`);
      if (s.items) walk(s.items, `${where}[]`);
      for (const k of ['oneOf', 'anyOf', 'allOf']) (s[k] ?? []).forEach((x: Schema, i: number) => walk(x, `${where}|${i}`));
    };
    for (const [path, ops] of Object.entries(doc.paths as Schema))
      for (const [method, op] of Object.entries(ops as Schema))
        for (const [status, r] of Object.entries(op.responses as Schema)) for (const media of Object.values((r.content ?? {}) as Schema)) walk(media.schema, `${method} ${path} ${status}`);
    assert.deepEqual(missing, []);
  });

  it('real answers match it: ingest, errors included', async () => {
    const ingest = (body: string | Uint8Array, headers: Record<string, string> = {}, token = 'test-token') => request('POST', '/api/v1/ingest/wazuh', { token, body, headers: { 'content-type': 'application/x-ndjson', ...headers } });
    assert.equal((await ingest(ndjson(burst('203.0.113.5', 6, new Date(), 1000)))).status, 202);
    assert.equal((await ingest(new Uint8Array(gzipSync(ndjson(burst('203.0.113.6', 1, new Date(), 1000)))), { 'content-encoding': 'gzip' })).status, 202);
    assert.equal((await ingest('{"rule":\n')).status, 400);
    assert.equal((await ingest('{}', {}, 'wrong')).status, 401);
    assert.equal((await ingest('x'.repeat(70 * 1024))).status, 413);
    assert.equal((await ingest('{}', { 'content-encoding': 'br' })).status, 415);
    await until(async () => ((await request('GET', '/api/v1/incidents', { session: admin })).body as { total: number }).total > 0, 10_000, 'an incident');
  });

  it('real answers match it: login (200, 400, 401, 429), logout, who am I', async () => {
    assert.equal((await request('POST', '/api/v1/auth/login', { body: JSON.stringify({ name: 'nobody', password: 'wrong' }) })).status, 401);
    assert.equal((await request('POST', '/api/v1/auth/login', { body: JSON.stringify({ name: '' }) })).status, 400);
    assert.equal((await request('GET', '/api/v1/auth/me', { session: admin })).status, 200);
    assert.equal((await request('GET', '/api/v1/auth/me')).status, 401);
    assert.equal((await request('POST', '/api/v1/auth/logout', { headers: { cookie: viewer.cookie }, body: '{}' })).status, 403);
    let status = 0;
    for (let i = 0; i < 6 && status !== 429; i++) status = (await request('POST', '/api/v1/auth/login', { body: JSON.stringify({ name: 'ada', password: 'wrong password' }) })).status;
    assert.equal(status, 429);
  });

  it('real answers match it: every guarded route as nobody, a viewer and an admin', async () => {
    const incident = ((await request('GET', '/api/v1/incidents', { session: admin })).body as { items: { id: string }[] }).items[0]!.id;
    const rule = v.vigil.rules.rules[0]!.ref.id;
    const concrete = (url: string) =>
      url.startsWith('/api/v1/rules/') ? url.replace(':id', encodeURIComponent(rule)) : /^\/api\/v1\/(tokens|responses|actions|suppressions)\//.test(url) ? url.replace(':id', '999') : url.replace(':id', incident);
    const bodies: Record<string, unknown> = { mode: 'shadow', name: 'grafana', scope: 'viewer', password: 'a long enough password', role: 'viewer', assignee: 'ada', verdict: 'true_positive', resolution: 'fixed' };
    for (const r of v.vigil.server.guardedRoutes.filter((r) => r.access !== 'public' && r.method !== 'HEAD')) {
      const path = concrete(r.url);
      const body = r.method === 'GET' ? undefined : JSON.stringify(bodies);
      await request(r.method, path, { body });
      await request(r.method, path, { session: viewer, body });
      await request(r.method, path, { session: admin, body });
    }
    assert.equal((await request('GET', '/api/v1/incidents?limit=nope', { session: admin })).status, 400);
    assert.equal((await request('GET', '/api/v1/incidents/does-not-exist', { session: admin })).status, 404);
    assert.equal((await request('GET', '/api/v1/approvals/1?exp=1&sig=x')).status, 404);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal((await request('POST', '/api/v1/approvals/1', { body: 'decision=maybe', headers: form })).status, 400);
    // A forged link: refused (its page, or to Accept: application/json the error), as documented.
    assert.equal((await request('POST', '/api/v1/approvals/1', { body: 'decision=approve&exp=1&sig=x', headers: form })).status, 403);
    assert.equal((await request('POST', '/api/v1/approvals/1', { body: JSON.stringify({ decision: 'deny', exp: '1', sig: 'x' }), headers: { accept: 'application/json' } })).status, 403);
    const covered = [...checked.keys()].length;
    assert.ok(covered >= v.vigil.server.guardedRoutes.filter((r) => r.method !== 'HEAD' && r.url !== '/api/v1/openapi.json').length - 1, `answers checked for ${covered} operations`);
  });
});
