// Approving, denying and unblocking blocks, and retrying dead letters, through the API: one decision only,
// each audited with the analyst's name; playbooks are readable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeWazuhAr } from '../fakes/wazuh-ar.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

describe('responses and actions API', () => {
  let v: Running;
  let analyst: Session;
  const wazuh = new FakeWazuhAr([{ id: '003', name: 'WIN-DC01', os: { platform: 'windows' } }]);
  const pending = async () => (await call(v, 'GET', '/api/v1/responses?state=awaiting-approval', analyst)).json as any[];

  before(async () => {
    v = await startVigil(
      {
        // A webhook that always fails, so its action dead-letters after one attempt.
        channels: { webhook: { enabled: true, url: 'http://127.0.0.1:9/hook', secret: 'k' } },
        actions: { outbox: { maxAttempts: 1 } },
        playbooks: [{ name: 'block-all', actions: [{ notify: 'webhook' }, { block: { mode: 'approval' } }] }],
      },
      'sqlite',
      undefined,
      { responseApi: wazuh },
    );
    analyst = await userSession(v, 'anna', 'analyst');
    for (const ip of ['45.9.41.1', '45.9.41.2']) assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst(ip, 5, new Date(), 1000)))).status, 202);
    await until(async () => (await pending()).length === 2, 10_000, 'two blocks awaiting approval');
  });
  after(() => v?.stop());

  it('lists blocks awaiting approval; approve runs one, deny refuses the other; a second decision is refused', async () => {
    const [a, b] = await pending();
    const approved = await call(v, 'POST', `/api/v1/responses/${a.id}/approve`, analyst, {});
    assert.equal(approved.status, 200);
    assert.equal(approved.json.decidedBy, 'user:anna');
    const denied = await call(v, 'POST', `/api/v1/responses/${b.id}/deny`, analyst, {});
    assert.equal(denied.status, 200);
    assert.equal(denied.json.state, 'denied');
    const again = await call(v, 'POST', `/api/v1/responses/${b.id}/approve`, analyst, {});
    assert.equal(again.status, 409);
    assert.equal(again.json.error, 'already_used');
    await until(async () => (await call(v, 'GET', `/api/v1/responses?incident=${a.incidentId}`, analyst)).json[0].state === 'blocked', 10_000, 'the block to run');
    assert.equal(wazuh.calls.filter((c) => c.command === '!netsh.exe').length, 1, 'only the approved block ran');
    const detail = (await call(v, 'GET', `/api/v1/incidents/${a.incidentId}`, analyst)).json;
    assert.equal(detail.responses[0].state, 'blocked');
    assert.ok(detail.audit.some((t: any) => t.action === 'response.approve' && t.actor === 'user:anna'));
  });

  it('unblocks early once, then refuses', async () => {
    const [blocked] = (await call(v, 'GET', '/api/v1/responses?state=blocked', analyst)).json;
    assert.equal((await call(v, 'POST', `/api/v1/responses/${blocked.id}/unblock`, analyst, {})).status, 200);
    await until(() => wazuh.calls.some((c) => c.command === '!vigil-unblock.cmd'), 10_000, 'the unblock to run');
    await until(async () => (await call(v, 'GET', `/api/v1/responses?state=unblocked`, analyst)).json.length === 1);
    assert.equal((await call(v, 'POST', `/api/v1/responses/${blocked.id}/unblock`, analyst, {})).status, 409);
    assert.equal((await call(v, 'POST', '/api/v1/responses/424242/approve', analyst, {})).status, 404);
  });

  it('lists dead letters and retries one by hand; a delivered action is not retried', async () => {
    await until(async () => (await call(v, 'GET', '/api/v1/actions?state=dead', analyst)).json.length === 2, 15_000, 'two dead letters');
    const [dead] = (await call(v, 'GET', '/api/v1/actions?state=dead', analyst)).json;
    assert.equal(dead.channel, 'webhook');
    assert.ok(dead.lastError);
    const retried = await call(v, 'POST', `/api/v1/actions/${dead.id}/retry`, analyst, {});
    assert.equal(retried.status, 200);
    const trail = (await call(v, 'GET', `/api/v1/incidents/${dead.incidentId}`, analyst)).json.audit;
    assert.ok(trail.some((t: any) => t.action === 'action.retry' && t.actor === 'user:anna' && t.result === 'ok'));
    const [delivered] = (await call(v, 'GET', '/api/v1/actions?state=delivered', analyst)).json;
    assert.ok(delivered, 'the block action was delivered');
    assert.equal((await call(v, 'POST', `/api/v1/actions/${delivered.id}/retry`, analyst, {})).status, 409);
  });

  it('reads the playbooks in force', async () => {
    const books = (await call(v, 'GET', '/api/v1/playbooks', analyst)).json;
    assert.deepEqual(books.map((p: any) => p.name), ['block-all']);
    assert.deepEqual(books[0].actions[1], { block: { mode: 'approval', agents: 'affected' } });
  });
});
