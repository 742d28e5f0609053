// The Wazuh 5.x replacement for integratord: an Alerting per-document monitor over wazuh-findings-v5-* whose
// action posts, through a Notifications webhook channel, the body its Mustache template renders
// (integrations/wazuh5/). The template is rendered here by mustache.js with OpenSearch's `toJson` function
// (its lang-mustache renders `{{#toJson}}key{{/toJson}}` as the JSON of that value) over the documented
// action context (ctx.monitor, ctx.alerts[].sample_documents[] = {_index, _id, _source}), and what it renders is
// sent to Vigil with the channel's headers: the findings are accepted, and the FIM finding makes its incident.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Mustache from 'mustache';
import { handled } from '../helpers/triage.js';
import { post, startVigil, type Running } from '../helpers/vigil.js';
import { ROOT } from '../helpers/fixtures.js';
import { failedLogon4625Finding, realFimFinding } from '../helpers/wcs-fixtures.js';

const DIR = join(ROOT, 'integrations/wazuh5');

/** What OpenSearch's Mustache gives a template: the context, plus its toJson function. */
function render(template: string, ctx: unknown): string {
  const view = {
    ctx,
    toJson() {
      return function (this: Record<string, unknown>, key: string) {
        return JSON.stringify(key.trim().split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), this));
      };
    },
  };
  return Mustache.render(template, view, {}, { escape: (s: string) => s });
}

describe('Wazuh 5.x Alerting monitor + webhook channel → Vigil', () => {
  let v: Running;
  before(async () => {
    v = await startVigil();
  });
  after(async () => v?.stop());

  it('the monitor carries the message template of integrations/wazuh5/message.mustache and reads the findings streams', () => {
    const monitor = JSON.parse(readFileSync(join(DIR, 'monitor.json'), 'utf8'));
    assert.equal(monitor.monitor_type, 'doc_level_monitor');
    assert.deepEqual(monitor.inputs[0].doc_level_input.indices, ['wazuh-findings-v5-*']);
    const action = monitor.triggers[0].document_level_trigger.actions[0];
    assert.equal(action.message_template.source, readFileSync(join(DIR, 'message.mustache'), 'utf8'));
    assert.equal(action.destination_id, JSON.parse(readFileSync(join(DIR, 'notifications-channel.json'), 'utf8')).config_id);
  });

  it('its rendered body is NDJSON of indexer hits that Vigil records (hostile strings stay data) and detects on', async () => {
    const template = readFileSync(join(DIR, 'message.mustache'), 'utf8');
    const hostile = failedLogon4625Finding({ ip: '203.0.113.9', user: 'x"}\n{"evil":true}</script>', time: new Date('2026-07-10T20:49:00Z') });
    const ctx = { monitor: { name: 'Vigil: every Wazuh finding' }, alerts: [{ sample_documents: [realFimFinding()] }, { sample_documents: [hostile] }] };
    const body = render(template, ctx);
    const lines = body.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[1]!), hostile, 'each line is one hit, exactly');
    const channel = JSON.parse(readFileSync(join(DIR, 'notifications-channel.json'), 'utf8')).config.webhook;
    const headers: Record<string, string> = {};
    for (const [k, val] of Object.entries(channel.header_params as Record<string, string>)) headers[k.toLowerCase()] = val;
    assert.equal(headers['content-type'], 'application/x-ndjson');
    headers.authorization = 'Bearer test-token'; // the ingest token in place of VIGIL_INGEST_TOKEN
    const res = await post(`${v.url}/api/v1/ingest/wazuh`, body, headers);
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 2, duplicates: 0 });
    await handled(v);
    const incidents = await v.vigil.store.db.selectFrom('incidents').select(['title', 'event_count']).execute();
    assert.deepEqual(incidents, [{ title: 'File Integrity Change On A Critical Path — Ubuntu-24', event_count: 1 }]);
    const again = await post(`${v.url}/api/v1/ingest/wazuh`, body, headers);
    assert.deepEqual(again.json, { accepted: 0, duplicates: 2 }, 'a monitor that re-sends changes nothing');
  });
});
