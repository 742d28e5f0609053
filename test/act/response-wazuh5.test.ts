// Active response on Wazuh 5.x: an approved block writes exactly one `wazuh-active-responses` document of the
// documented shape (shared/reference/wazuh5.md §6, AR_SCHEMA) pointing at the incident's finding; a retry after
// a lost answer writes no second one (deterministic id, 409); the ledger's escalating durations become the
// stateful timeout; unblock at expiry writes the unblock. Against the fake Wazuh 5 indexer over TLS.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DEFAULT_OUTBOX, OutboxWorker } from '../../src/act/outbox.js';
import { ResponseExecutor } from '../../src/act/response/executor.js';
import { RESPONSE_CHANNEL, ResponseService } from '../../src/act/response/service.js';
import { actionsSchema, configSchema } from '../../src/config/schema.js';
import { createVigil, StartupError } from '../../src/vigil.js';
import { toEvent } from '../../src/model/event.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { recordAlerts } from '../../src/store/alerts.js';
import { auditFor } from '../../src/store/audit.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { Wazuh5ResponseApi } from '../../src/wazuh/active-responses.js';
import { startFakeWazuh5Indexer, type FakeWazuh5Indexer } from '../fakes/wazuh5-indexer.js';
import { FakeWazuhAr } from '../fakes/wazuh-ar.js';
import { quietLog } from '../helpers/quiet.js';
import { failedLogon4625Finding } from '../helpers/wcs-fixtures.js';

const TLS = `${PACKAGE_ROOT}/test/fakes/tls`;
const HOUR = 3_600_000;
const ATTACKER = '198.51.100.20';
const AR_KEYS = new Set(['name', 'executable', 'extra_arguments', 'location', 'type', 'stateful_timeout', 'agent_id']);

describe('active response on Wazuh 5.x', () => {
  let store: OpenedDb;
  let idx: FakeWazuh5Indexer;
  const clock = { now: Date.parse('2026-11-21T10:00:00Z') };
  const apis: Wazuh5ResponseApi[] = [];

  beforeEach(async () => {
    store = await openDatabase(':memory:');
    idx = await startFakeWazuh5Indexer({ password: 'secret', tls: { key: readFileSync(`${TLS}/server.key`, 'utf8'), cert: readFileSync(`${TLS}/server.pem`, 'utf8') } });
  });
  afterEach(async () => {
    for (const a of apis.splice(0)) await a.close();
    await store.close();
    await idx.close();
  });

  /** An incident whose detection holds one SYNTHETIC 5.x finding from agent 003 about the attacker. */
  async function incident(id: string, agentVersion = 'v5.0.0') {
    const hit = failedLogon4625Finding({ ip: ATTACKER, time: new Date(clock.now - 60_000) }) as any;
    hit._source.wazuh.agent.version = agentVersion;
    const e = toEvent(hit, JSON.stringify(hit));
    await recordAlerts(store.db, [{ key: e.key, eventId: e.id, format: e.format, source: 'indexer', body: JSON.stringify(hit) }]);
    await store.db
      .insertInto('detections')
      .values({ id: `det-${id}`, rule_id: 'r', rule_title: 'Windows Brute Force', level: 'high', time: clock.now, first_time: clock.now, group_json: '{}', count: 1, event_ids_json: JSON.stringify([e.id]), rule_json: '{}', incident_id: id, created_at: clock.now, suppression_id: null })
      .execute();
    return hit;
  }

  function setup() {
    const config = actionsSchema.parse({
      response: { wazuh5: { enabled: true, url: idx.url, password: 'secret', caFile: `${TLS}/ca.pem` } },
      approvals: { secret: 'k', publicUrl: 'https://vigil.example' },
    });
    const service = new ResponseService(store.db, config.response, { ...config.approvals, secret: 'k' });
    const inventory = new FakeWazuhAr([{ id: '003', name: 'WIN-DC01', ip: '192.0.2.12', os: { platform: 'windows', name: 'Microsoft Windows Server 2022' } }]);
    const api = new Wazuh5ResponseApi(store.db, config.response.wazuh5, inventory, () => clock.now);
    apis.push(api);
    const executor = new ResponseExecutor(store.db, service, api, quietLog, () => clock.now);
    const worker = new OutboxWorker(store.db, new Map([[RESPONSE_CHANNEL, executor]]), quietLog, { ...DEFAULT_OUTBOX, maxAttempts: 5, baseDelayMs: 1000 }, { clock: () => clock.now });
    return { service, inventory, run: () => worker.runDue(clock.now) };
  }

  it('an approved block writes exactly one correctly shaped document, pointing at the finding', async () => {
    const hit = await incident('inc-1');
    const s = setup();
    await s.service.request(store.db, { incidentId: 'inc-1', playbook: 'pb', address: ATTACKER, agents: ['003'], mode: 'approval' }, clock.now);
    await s.run();
    assert.equal(idx.activeResponses.length, 0, 'nothing before the approval');
    const [pending] = await s.service.list({ state: 'awaiting-approval' });
    assert.ok((await s.service.decide(pending!.id, 'approve', 'anna', clock.now)).ok);
    await s.run();
    assert.equal(idx.activeResponses.length, 1);
    const { id, source: doc } = idx.activeResponses[0]!;
    assert.equal(id, `vigil-${pending!.id}-block-003`);
    assert.deepEqual(Object.keys(doc).sort(), ['@timestamp', 'event', 'wazuh']);
    assert.equal(doc['@timestamp'], new Date(clock.now).toISOString());
    assert.deepEqual(doc.event, { index: hit._index, doc_id: hit._id });
    const ar = doc.wazuh.active_response;
    assert.ok(Object.keys(ar).every((k) => AR_KEYS.has(k)), 'additionalProperties: false');
    assert.deepEqual(ar, { name: 'vigil-block-ip', executable: 'block-ip', extra_arguments: null, location: 'defined-agent', agent_id: '003', type: 'stateful', stateful_timeout: 3600 });
    assert.equal(doc.wazuh.agent.id, '003');
    assert.equal(s.inventory.calls.length, 0, 'no 4.x PUT /active-response');
    const [row] = await s.service.list({ incidentId: 'inc-1' });
    assert.equal(row!.state, 'blocked');
    const trail = await auditFor(store.db, `ip:${ATTACKER}`);
    assert.ok(trail.some((a) => a.action === 'response.block' && a.result === 'ok'));
  });

  it('a retry after the answer was lost writes no second document, and the block counts once indexed', async () => {
    await incident('inc-2');
    const s = setup();
    await s.service.request(store.db, { incidentId: 'inc-2', playbook: 'pb', address: ATTACKER, agents: ['003'], mode: 'automatic' }, clock.now);
    idx.loseNextCreateAnswer();
    await s.run();
    assert.equal(idx.activeResponses.length, 1, 'the indexer has it');
    assert.equal((await s.service.list({ incidentId: 'inc-2' }))[0]!.state, 'approved', 'not yet counted as blocked: no answer came');
    clock.now += 60_000;
    await s.run();
    assert.equal(idx.activeResponses.length, 1, 'the retry met its own document (409)');
    assert.equal((await s.service.list({ incidentId: 'inc-2' }))[0]!.state, 'blocked');
  });

  it('a repeat offender gets the next duration as stateful timeout; unblock at expiry writes the unblock', async () => {
    await incident('inc-3');
    await incident('inc-4');
    const s = setup();
    await s.service.request(store.db, { incidentId: 'inc-3', playbook: 'pb', address: ATTACKER, agents: ['003'], mode: 'automatic' }, clock.now);
    await s.run();
    clock.now += HOUR + 1000;
    await s.run(); // the first block's expiry
    const docs = idx.activeResponses.map((d) => d.source.wazuh.active_response);
    assert.equal(docs.length, 2);
    assert.deepEqual(docs[1], { name: 'vigil-unblock', executable: 'vigil-unblock', extra_arguments: null, location: 'defined-agent', agent_id: '003', type: 'stateless' });
    assert.match(idx.activeResponses[1]!.id, /^vigil-\d+-unblock-003$/);
    assert.equal((await s.service.list({ incidentId: 'inc-3' }))[0]!.state, 'unblocked');
    await s.service.request(store.db, { incidentId: 'inc-4', playbook: 'pb', address: ATTACKER, agents: ['003'], mode: 'automatic' }, clock.now);
    await s.run();
    assert.equal(idx.activeResponses[2]!.source.wazuh.active_response.stateful_timeout, 6 * 3600, 'second offence: durations[1]');
  });

  it('refuses to start when allowAssets cannot be checked (no server API for the inventory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ar5-'));
    const config = configSchema.parse({ database: { url: join(dir, 'vigil.db') }, actions: { response: { allowAssets: ['dc01'], wazuh5: { enabled: true, url: idx.url } } } });
    await assert.rejects(createVigil(config, quietLog), (e: unknown) => e instanceof StartupError && /allowAssets needs the agent inventory: set wazuh\.api\.url/.test((e as Error).message));
  });

  it('refuses, with the reason, an agent older than 5.0 (Wazuh 5 sends it nothing) and an incident without a 5.x finding', async () => {
    await incident('inc-5', 'v4.14.1');
    const s = setup();
    await s.service.request(store.db, { incidentId: 'inc-5', playbook: 'pb', address: ATTACKER, agents: ['003'], mode: 'automatic' }, clock.now);
    await s.run();
    assert.equal(idx.activeResponses.length, 0);
    const actions = await store.db.selectFrom('outbox').select(['state', 'last_error']).execute();
    assert.match(actions[0]!.last_error ?? '', /runs Wazuh v4\.14\.1; Wazuh 5 sends active responses only to 5\.x agents/);
    await s.service.request(store.db, { incidentId: 'inc-none', playbook: 'pb', address: ATTACKER, agents: ['003'], mode: 'automatic' }, clock.now);
    await s.run();
    const last = await store.db.selectFrom('outbox').select(['last_error']).orderBy('id', 'desc').executeTakeFirst();
    assert.match(last!.last_error ?? '', /no Wazuh 5\.x finding of this incident from agent 003 carries source\.ip 198\.51\.100\.20/);
  });
});
