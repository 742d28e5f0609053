// The SMTP server is down for the length of a brute-force storm, then comes back: every notification is
// delivered, none twice. While it is down the channel's breaker holds the mails back without spending their
// attempts (maxAttempts is 3 here, and the outage outlasts many probes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listActions } from '../../src/act/admin.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp } from '../helpers/smtp.js';
import { freePort, post, startVigil, until, scrape } from '../helpers/vigil.js';

describe('SMTP outage during a brute-force storm', () => {
  it('delivers every notification exactly once after the server comes back', async () => {
    const port = await freePort();
    const v = await startVigil({
      channels: { email: { enabled: true, host: '127.0.0.1', port, to: ['soc@example.org'] } },
      actions: { outbox: { maxAttempts: 3, baseDelay: '20ms', maxDelay: '100ms', poll: '20ms', breakerFailures: 3, breakerCooldown: '100ms' } },
    });
    try {
      const start = new Date(Date.now() - 10 * 60_000);
      const ips = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);
      // 30 attackers × 20 failed logons, interleaved as they would arrive.
      const storm = ips.flatMap((ip) => burst(ip, 20, start, 1000)).sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
      for (let i = 0; i < storm.length; i += 100) assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(storm.slice(i, i + 100)))).status, 202);
      await until(async () => (await listActions(v.vigil.store.db, { channel: 'email', limit: 1000 })).length === 30, 10_000, '30 notifications queued');
      // The outage lasts until the breaker has opened and probed several times. It opens after three failed
      // attempts, which need not be of three actions: the first mail may be retried before the next is queued.
      await until(async () => (await listActions(v.vigil.store.db, { limit: 1000 })).reduce((n, a) => n + a.attempts, 0) >= 3, 10_000, 'failed attempts');
      const downSince = Date.now();
      await until(() => Date.now() - downSince > 1500, 5000, 'the outage');
      const during = await listActions(v.vigil.store.db, { limit: 1000 });
      assert.equal(during.filter((a) => a.state === 'delivered').length, 0);
      assert.equal(during.filter((a) => a.state === 'dead').length, 0, 'nothing dead-lettered during the outage');
      assert.ok(during.every((a) => a.attempts < 3));
      const metrics = await scrape(v);
      assert.match(metrics, /vigil_outbox_actions\{channel="email",state="(pending|failed)"\} \d+/);
      assert.match(metrics, /vigil_channel_breaker_open\{channel="email"\} [01]/, 'the breaker is visible');

      const smtp = await startSmtp({ port });
      try {
        const mails = await smtp.waitFor(30, 20_000);
        await until(async () => (await listActions(v.vigil.store.db, { limit: 1000 })).every((a) => a.state === 'delivered'), 5000, 'all recorded');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(smtp.messages.length, 30, 'no mail twice');
        assert.equal(new Set(mails.map((m) => m.messageId)).size, 30);
        const subjects = new Set(mails.map((m) => /from (198\.51\.100\.\d+)/.exec(m.subject ?? '')?.[1]));
        assert.deepEqual([...subjects].sort(), [...ips].sort(), 'one mail per attacker');
      } finally {
        await smtp.close();
      }
    } finally {
      await v.stop();
    }
  });
});
