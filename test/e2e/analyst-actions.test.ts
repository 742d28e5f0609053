// What the analyst reads about what Vigil did: an approved block the guard rails stop reads as refused at once
// (the approval page, the API, the audit trail), and a playbook that asks for it sends the comment thread with
// its update mails, escalated. Mails go to a real SMTP server and are parsed by mailparser; the Wazuh API is
// the fake at the ResponseApi seam. Every alert is SYNTHETIC (test/helpers/fixtures.ts). Issue 12, items 6 and
// "comments in update mails where a playbook says".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeWazuhAr } from '../fakes/wazuh-ar.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, userSession } from '../helpers/session.js';
import { startSmtp } from '../helpers/smtp.js';
import { post, startVigil, until } from '../helpers/vigil.js';

const DC = { id: '003', name: 'WIN-DC01', ip: '10.0.0.12', os: { platform: 'windows', name: 'Microsoft Windows Server 2022' } };

describe('item 6: an approved block that the guard rails refuse reads as refused', () => {
  it('the approval page, the API, the actions and the audit trail say refused, with the reason; nothing runs', async () => {
    const smtp = await startSmtp();
    const wazuh = new FakeWazuhAr([DC]);
    const v = await startVigil(
      {
        channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
        // No block may start this hour: an approval is refused when it is made.
        actions: { approvals: { publicUrl: 'https://vigil.example.org', secret: 'k' }, response: { maxBlocksPerHour: 0 } },
        playbooks: [{ name: 'block-brute-force', match: { rules: ['*Brute Force*'] }, actions: [{ notify: 'email' }, { block: { mode: 'approval' } }] }],
      },
      'sqlite',
      undefined,
      { responseApi: wazuh },
    );
    try {
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.61', 6, new Date(Date.now() - 60_000), 2000)))).status, 202);
      const [mail] = await smtp.waitFor(1, 20_000);
      const incidentId = String(mail!.headers.get('x-vigil-incident'));
      const link = new URL(/https:\/\/vigil\.example\.org\/api\/v1\/approvals\/\S+/.exec(mail!.text ?? '')![0]);
      const res = await fetch(`${v.url}${link.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision: 'approve', exp: link.searchParams.get('exp')!, sig: link.searchParams.get('sig')! }).toString(),
      });
      const html = await res.text();
      assert.match(html, /<h1>Block approved, but refused<\/h1>/);
      assert.match(html, /Vigil refused to run it: blast-radius cap reached: 0 blocks in the last hour \(actions\.response\.maxBlocksPerHour = 0\)\. Nothing was sent to Wazuh\./);
      assert.match(html, /class="panel refused"/);
      assert.doesNotMatch(html, /runs now|queued to run/);

      const alice = await userSession(v, 'alice', 'analyst');
      const d = (await call(v, 'GET', `/api/v1/incidents/${incidentId}`, alice)).json;
      assert.equal(d.responses[0].state, 'refused');
      assert.match(d.responses[0].reason, /blast-radius cap reached/);
      assert.deepEqual(
        d.audit.map((t: { action: string; result: string }) => `${t.action}:${t.result}`).reverse(),
        ['response.request:awaiting-approval', 'response.approve:ok', 'response.block:refused'],
      );
      assert.ok(!d.actions.some((a: { channel: string; state: string }) => a.channel === 'wazuh-response' && a.state === 'delivered'), 'no block action reads as delivered');
      assert.ok(d.timeline.some((t: { text: string }) => /^block 203\.0\.113\.61: refused \(blast-radius cap reached/.test(t.text)));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(wazuh.calls.length, 0, 'nothing was sent to Wazuh');
    } finally {
      await v.stop();
      await smtp.close();
    }
  });

  it('an automatic block refused when it is about to run leaves its action refused, not delivered', async () => {
    // The attacker's address is one of our own assets' (allowAssets): only the inventory, read right before the call, says so.
    const wazuh = new FakeWazuhAr([DC, { id: '007', name: 'EDGE-GW', ip: '203.0.113.62', os: { platform: 'ubuntu', name: 'Ubuntu' } }]);
    const v = await startVigil(
      { actions: { response: { allowAssets: ['EDGE-GW'] } }, playbooks: [{ name: 'auto-block', match: { rules: ['*Brute Force*'] }, actions: [{ block: { mode: 'automatic' } }] }] },
      'sqlite',
      undefined,
      { responseApi: wazuh },
    );
    try {
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.62', 5, new Date(Date.now() - 60_000), 2000)))).status, 202);
      const alice = await userSession(v, 'alice', 'analyst');
      let action: any;
      await until(async () => {
        const list = (await call(v, 'GET', '/api/v1/actions', alice)).json;
        action = (Array.isArray(list) ? list : list.items ?? []).find((a: { channel: string }) => a.channel === 'wazuh-response');
        return action?.state === 'refused';
      }, 15_000, 'the refused block action');
      assert.equal(action.deliveredAt, undefined);
      assert.match(action.lastError, /203\.0\.113\.62 belongs to allowlisted asset EDGE-GW \(007\)/);
      assert.equal(wazuh.calls.length, 0);
    } finally {
      await v.stop();
    }
  });
});

describe('comments in update mails where a playbook says', () => {
  it('with `comments: true` the resolve mail carries the thread (who, when, text), escaped', async () => {
    const smtp = await startSmtp();
    const v = await startVigil({
      channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
      playbooks: [{ name: 'soc', actions: [{ notify: 'email', comments: true }] }],
    });
    try {
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.63', 5, new Date(Date.now() - 60_000), 2000)))).status, 202);
      const [opened] = await smtp.waitFor(1, 20_000);
      assert.doesNotMatch(opened!.text ?? '', /^Comments:/m, 'no comment yet, no empty section');
      const incidentId = String(opened!.headers.get('x-vigil-incident'));
      const alice = await userSession(v, 'alice', 'analyst');
      const text = 'Owner says <script>alert(1)</script> "not me" & locked the account';
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/comments`, alice, { text })).status, 201);
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/verdict`, alice, { verdict: 'true_positive', comment: 'confirmed' })).status, 200);
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/resolve`, alice, { comment: 'account locked' })).status, 200);
      const mails = await smtp.waitFor(2, 20_000);
      const resolved = mails.find((m) => /RESOLVED/.test(m.subject ?? ''))!;
      assert.match(resolved.text ?? '', /^Comments:\n {2}- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+00:00 alice: Owner says <script>alert\(1\)<\/script> "not me" & locked the account$/m);
      const html = String(resolved.html);
      assert.match(html, />Comments<\/h3>/);
      assert.match(html, /alice: Owner says &lt;script&gt;alert\(1\)&lt;\/script&gt; &quot;not me&quot; &amp; locked the account/);
      assert.doesNotMatch(html, /<script>/);
    } finally {
      await v.stop();
      await smtp.close();
    }
  });

  it('without the option the update mail leaves the thread out', async () => {
    const smtp = await startSmtp();
    const v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } } });
    try {
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('203.0.113.64', 5, new Date(Date.now() - 60_000), 2000)))).status, 202);
      const [opened] = await smtp.waitFor(1, 20_000);
      const incidentId = String(opened!.headers.get('x-vigil-incident'));
      const alice = await userSession(v, 'alice', 'analyst');
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/comments`, alice, { text: 'internal note' })).status, 201);
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/verdict`, alice, { verdict: 'benign', comment: 'pen test' })).status, 200);
      const mails = await smtp.waitFor(2, 20_000);
      const resolved = mails.find((m) => /RESOLVED/.test(m.subject ?? ''))!;
      assert.doesNotMatch(resolved.text ?? '', /internal note|^Comments:/m);
    } finally {
      await v.stop();
      await smtp.close();
    }
  });
});
