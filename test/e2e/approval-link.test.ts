// A block proposed by a playbook in approval mode, from ingest to Wazuh: the incident email carries a signed
// link; opening it shows the proposal (and decides nothing); approving runs the block with the command for
// the agent's OS; the same link used again is refused; every step is in the audit log. Wazuh is the fake
// server API (test/fakes/wazuh-api.ts), reached through Vigil's own API client (JWT login, envelopes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditFor } from '../../src/store/audit.js';
import { startFakeWazuhApi } from '../fakes/wazuh-api.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp } from '../helpers/smtp.js';
import { post, postgresAvailable, startVigil, until, type Backend } from '../helpers/vigil.js';

for (const backend of ['sqlite', 'postgres'] as Backend[]) describe(`approval link on ${backend}`, async () => {
  const available = backend === 'sqlite' || (await postgresAvailable());
  it('approves a block once; the second use is refused', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
    const smtp = await startSmtp();
    const wazuh = await startFakeWazuhApi({ user: 'vigil', password: 'wazuh-pass' });
    wazuh.agents.push(
      { id: '000', name: 'wazuh-manager', ip: '127.0.0.1', status: 'active', os: { platform: 'ubuntu', name: 'Ubuntu' } },
      { id: '003', name: 'WIN-DC01', ip: '10.0.0.12', status: 'active', os: { platform: 'windows', name: 'Microsoft Windows Server 2022 Datacenter' } },
    );
    const v = await startVigil(
      {
        wazuh: { api: { url: wazuh.url, user: 'vigil', password: 'wazuh-pass' } },
        channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
        actions: { approvals: { publicUrl: 'https://vigil.example.org', secret: 'test-approval-key' } },
        playbooks: [
          {
            name: 'brute-force-block',
            match: { rules: ['*Brute Force*'], severity: 'high' },
            actions: [{ notify: 'email' }, { block: { mode: 'approval' } }],
          },
        ],
      },
      backend,
    );
    try {
      const alerts = burst('203.0.113.50', 6, new Date(Date.now() - 60_000), 5000);
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
      const [mail] = await smtp.waitFor(1);
      const text = mail!.text ?? '';
      assert.match(text, /Proposed response:\n- block 203\.0\.113\.50 on 003: https:\/\/vigil\.example\.org\/api\/v1\/approvals\/\d+\?exp=\d+&sig=[\w-]+ \(until .*, usable once\)/);
      assert.match(String(mail!.html), /Review block of 203\.0\.113\.50/);
      const link = new URL(/https:\/\/vigil\.example\.org\/api\/v1\/approvals\/\S+/.exec(text)![0]);
      const local = `${v.url}${link.pathname}${link.search}`;

      // Opening the link (a person, or a mail scanner) shows the proposal and changes nothing.
      const page = await fetch(local);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Block 203\.0\.113\.50\?/);
      assert.match(html, /<form method="post"/);
      assert.equal(wazuh.arCalls.length, 0);

      const form = (decision: string) =>
        fetch(`${v.url}${link.pathname}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ decision, exp: link.searchParams.get('exp')!, sig: link.searchParams.get('sig')! }).toString(),
        });
      const first = await form('approve');
      assert.equal(first.status, 200);
      assert.match(await first.text(), /Block approved/);
      // Blocked: the call was made and its result recorded (with its audit row) in one transaction.
      await until(async () => (await v.vigil.responses!.list())[0]?.state === 'blocked', 10_000, 'the block');
      assert.equal(wazuh.arCalls[0]!.body.command, '!netsh.exe', 'a Windows agent gets netsh');
      assert.deepEqual(wazuh.arCalls[0]!.agents, ['003']);
      assert.deepEqual(wazuh.arCalls[0]!.body.alert, { data: { srcip: '203.0.113.50' } });

      const second = await form('approve');
      assert.equal(second.status, 409);
      assert.match(await second.text(), /already used/);
      const deny = await form('deny');
      assert.equal(deny.status, 409, 'nor can it be turned into a denial');
      const forged = await fetch(`${v.url}${link.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ decision: 'approve', exp: link.searchParams.get('exp'), sig: 'AAAA' }),
      });
      assert.equal(forged.status, 403);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(wazuh.arCalls.length, 1, 'blocked once');

      const trail = (await auditFor(v.vigil.store.db, 'ip:203.0.113.50')).reverse();
      assert.deepEqual(
        trail.map((a) => `${a.action}:${a.result}`),
        ['response.request:awaiting-approval', 'response.approve:ok', 'response.block:ok', 'response.approve:refused', 'response.deny:refused'],
      );
      assert.match(trail[1]!.actor, /^approval-link@127\.0\.0\.1$/);
    } finally {
      await v.stop();
      await smtp.close();
      await wazuh.close();
    }
  });
});
