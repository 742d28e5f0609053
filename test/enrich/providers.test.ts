// Each provider against a fake of its documented contract: what it sends, how it reads answers and refusals.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { abuseIpDbSchema, geoIpSchema, reverseDnsSchema, virusTotalSchema } from '../../src/config/schema.js';
import { ProviderError } from '../../src/enrich/provider.js';
import { AbuseIpDbProvider } from '../../src/enrich/providers/abuseipdb.js';
import { GeoIpProvider } from '../../src/enrich/providers/geoip.js';
import { ReverseDnsProvider } from '../../src/enrich/providers/reverse-dns.js';
import { urlId, VirusTotalProvider } from '../../src/enrich/providers/virustotal.js';
import { WazuhAgentProvider } from '../../src/enrich/providers/wazuh-agent.js';
import { startFakeAbuseIpDb, type FakeAbuseIpDb } from '../fakes/abuseipdb.js';
import { reverseName, startFakeDns } from '../fakes/dns.js';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';

const signal = () => AbortSignal.timeout(5000);

async function rejectsWith(p: Promise<unknown>, kind: string, message: RegExp): Promise<ProviderError> {
  let caught: unknown;
  await p.catch((e) => (caught = e));
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${caught}`);
  assert.equal(caught.kind, kind);
  assert.match(caught.message, message);
  return caught;
}

describe('VirusTotal v3 provider', () => {
  let vt: FakeVirusTotal;
  let p: VirusTotalProvider;
  before(async () => {
    vt = await startFakeVirusTotal(['vt-key']);
    p = new VirusTotalProvider(virusTotalSchema.parse({ enabled: true, apiKey: 'vt-key', baseUrl: vt.url, maliciousThreshold: 3 }));
  });
  after(() => vt.close());

  it('an IP flagged by enough engines is malicious, with reputation, owner, country, date and a GUI link', async () => {
    vt.reports.set('45.9.20.1', { malicious: 12, suspicious: 1, reputation: -40, asn: 64501, asOwner: 'Bad Hosting (synthetic)', country: 'RU' });
    const r = await p.lookup({ kind: 'ip', value: '45.9.20.1' }, signal());
    assert.equal(r.verdict, 'malicious');
    assert.equal(r.found, true);
    assert.equal(r.summary, '12 of 90 engines flagged it malicious, 1 suspicious · reputation -40 · AS64501 Bad Hosting (synthetic) · RU · analysed 2025-11-21');
    assert.equal(r.link, 'https://www.virustotal.com/gui/ip-address/45.9.20.1');
    assert.deepEqual(vt.calls.at(-1), { kind: 'ip_addresses', id: '45.9.20.1', key: 'vt-key' });
  });

  it('one or two engines make it suspicious, none harmless', async () => {
    vt.reports.set('45.9.20.2', { malicious: 2 });
    vt.reports.set('45.9.20.3', {});
    assert.equal((await p.lookup({ kind: 'ip', value: '45.9.20.2' }, signal())).verdict, 'suspicious');
    assert.equal((await p.lookup({ kind: 'ip', value: '45.9.20.3' }, signal())).verdict, 'harmless');
  });

  it('domains, URLs (by unpadded base64url id) and file hashes use their own collections', async () => {
    const url = 'http://evil.example.net/x?a=1';
    vt.reports.set('evil.example.net', { malicious: 5 });
    vt.reports.set(urlId(url), { malicious: 4 });
    vt.reports.set('44d88612fea8a8f36de82e1278abb02f', { malicious: 60 });
    assert.equal((await p.lookup({ kind: 'domain', value: 'evil.example.net' }, signal())).link, 'https://www.virustotal.com/gui/domain/evil.example.net');
    const u = await p.lookup({ kind: 'url', value: url }, signal());
    assert.equal(vt.calls.at(-1)!.kind, 'urls');
    assert.equal(vt.calls.at(-1)!.id, 'aHR0cDovL2V2aWwuZXhhbXBsZS5uZXQveD9hPTE');
    assert.equal(u.link, `https://www.virustotal.com/gui/url/${'f'.repeat(64)}`);
    const f = await p.lookup({ kind: 'hash', value: '44d88612fea8a8f36de82e1278abb02f' }, signal());
    assert.equal(vt.calls.at(-1)!.kind, 'files');
    assert.equal(f.verdict, 'malicious');
  });

  it('404 is an answer: not known, cached like any other', async () => {
    const r = await p.lookup({ kind: 'ip', value: '45.9.20.99' }, signal());
    assert.deepEqual([r.found, r.verdict, r.summary], [false, 'unknown', 'not known to VirusTotal']);
    assert.equal(p.ttl(r), 86_400_000);
  });

  it('401 is an auth failure, 429 a quota refusal: neither is a verdict', async () => {
    const wrong = new VirusTotalProvider(virusTotalSchema.parse({ enabled: true, apiKey: 'old-key', baseUrl: vt.url }));
    await rejectsWith(wrong.lookup({ kind: 'ip', value: '45.9.20.1' }, signal()), 'auth', /API key was refused \(WrongCredentialsError: Wrong API key\)/);
    vt.exhausted = true;
    try {
      await rejectsWith(p.lookup({ kind: 'ip', value: '45.9.20.1' }, signal()), 'quota', /QuotaExceededError/);
    } finally {
      vt.exhausted = false;
    }
  });

  it('a slow answer is cut at the timeout and reported as such', async () => {
    vt.hold.add('45.9.20.50');
    await rejectsWith(p.lookup({ kind: 'ip', value: '45.9.20.50' }, AbortSignal.timeout(100)), 'timeout', /no answer in time/);
    vt.release('45.9.20.50');
  });

  it('refuses to start without a key', () => {
    assert.throws(() => new VirusTotalProvider(virusTotalSchema.parse({ enabled: true })), /enrich\.virustotal\.apiKey is required/);
  });
});

describe('AbuseIPDB v2 check provider', () => {
  let ab: FakeAbuseIpDb;
  let p: AbuseIpDbProvider;
  before(async () => {
    ab = await startFakeAbuseIpDb(['abuse-key']);
    p = new AbuseIpDbProvider(abuseIpDbSchema.parse({ enabled: true, apiKey: 'abuse-key', baseUrl: ab.url, maxAgeInDays: 30 }));
  });
  after(() => ab.close());

  it('sends ipAddress, maxAgeInDays and the Key header; reads score, reports, ISP, usage type, Tor, country', async () => {
    ab.scores.set('45.9.20.7', { score: 100, reports: 321, isTor: true });
    const r = await p.lookup({ kind: 'ip', value: '45.9.20.7' }, signal());
    assert.deepEqual(ab.calls.at(-1), { ip: '45.9.20.7', maxAgeInDays: '30', key: 'abuse-key' });
    assert.equal(r.verdict, 'malicious');
    assert.equal(r.summary, 'abuse confidence 100% · 321 reports · ISP Example Hosting (synthetic) · Data Center/Web Hosting/Transit · Tor exit node · NL');
    assert.equal(r.data.isTor, true);
  });

  it('scores map to verdicts by the configured threshold', async () => {
    ab.scores.set('45.9.20.8', { score: 40, reports: 3 });
    ab.scores.set('45.9.20.9', { score: 5, reports: 1 });
    assert.equal((await p.lookup({ kind: 'ip', value: '45.9.20.8' }, signal())).verdict, 'suspicious');
    assert.equal((await p.lookup({ kind: 'ip', value: '45.9.20.9' }, signal())).verdict, 'harmless');
    assert.equal((await p.lookup({ kind: 'ip', value: '45.9.20.10' }, signal())).verdict, 'unknown', 'never reported');
  });

  it('401 is an auth failure; 429 a quota refusal carrying Retry-After', async () => {
    const wrong = new AbuseIpDbProvider(abuseIpDbSchema.parse({ enabled: true, apiKey: 'nope', baseUrl: ab.url }));
    await rejectsWith(wrong.lookup({ kind: 'ip', value: '45.9.20.7' }, signal()), 'auth', /Authentication failed/);
    ab.exhaustedFor = 3600;
    try {
      const e = await rejectsWith(p.lookup({ kind: 'ip', value: '45.9.20.7' }, signal()), 'quota', /Daily rate limit of 1000 requests exceeded/);
      assert.equal(e.retryAfterMs, 3_600_000);
    } finally {
      ab.exhaustedFor = undefined;
    }
  });
});

describe('GeoIP provider (offline)', () => {
  const p = new GeoIpProvider(geoIpSchema.parse({}));
  it('finds country and city in the bundled DB-IP Lite database, for IPv4 and IPv6', async () => {
    const v4 = await p.lookup({ kind: 'ip', value: '8.8.8.8' });
    assert.equal(v4.found, true);
    assert.equal(v4.data.country, 'US');
    assert.equal(typeof v4.data.city, 'string');
    assert.match(v4.summary, /US/);
    const v6 = await p.lookup({ kind: 'ip', value: '2001:4860:4860::8888' });
    assert.match(String(v6.data.country), /^[A-Z]{2}$/);
  });
  it('a private address is not in it', async () => {
    const r = await p.lookup({ kind: 'ip', value: '10.1.2.3' });
    assert.equal(r.found, false);
  });
  it('a configured database that does not exist fails as a failure', async () => {
    const bad = new GeoIpProvider(geoIpSchema.parse({ cityDatabase: '/nonexistent/GeoLite2-City.mmdb' }));
    await assert.rejects(bad.lookup({ kind: 'ip', value: '8.8.8.8' }), /ENOENT/);
  });
});

describe('Wazuh agent inventory provider', () => {
  const agents = [{ id: '003', name: 'WIN-DC01', ip: '10.0.0.12', status: 'active', os: { name: 'Microsoft Windows Server 2022', version: '10.0.20348' }, groups: ['default', 'dc'] }];
  const queries: unknown[] = [];
  const dir = {
    async listAgents(q?: { name?: string; ip?: string }) {
      queries.push(q);
      return agents.filter((a) => (q?.name ? a.name === q.name : q?.ip ? a.ip === q.ip : true));
    },
  };
  const p = new WazuhAgentProvider(dir, 600_000);
  it('names the agent, its address, OS, groups and status; an FQDN falls back to the short name', async () => {
    const r = await p.lookup({ kind: 'host', value: 'WIN-DC01.corp.example' });
    assert.deepEqual(queries, [{ name: 'WIN-DC01.corp.example' }, { name: 'WIN-DC01' }]);
    assert.equal(r.summary, 'agent 003 WIN-DC01 · 10.0.0.12 · Microsoft Windows Server 2022 10.0.20348 · groups default, dc · active');
  });
  it('an unknown host is "no agent", and an API error is a failure', async () => {
    assert.equal((await p.lookup({ kind: 'host', value: 'ghost' })).found, false);
    const broken = new WazuhAgentProvider({ listAgents: async () => Promise.reject(new Error('401 Unauthorized')) }, 1);
    await rejectsWith(broken.lookup({ kind: 'host', value: 'x' }), 'failed', /Wazuh API: 401 Unauthorized/);
  });
});

describe('reverse DNS provider', () => {
  it('reads PTR names; no name is an answer ("no PTR record"), cached like any other', async () => {
    const dns = await startFakeDns();
    try {
      dns.ptr.set(reverseName('10.0.0.12'), ['win-dc01.corp.example']);
      const p = new ReverseDnsProvider(reverseDnsSchema.parse({ enabled: true, servers: [dns.server] }));
      const r = await p.lookup({ kind: 'ip', value: '10.0.0.12' }, signal());
      assert.deepEqual([r.found, r.summary, r.data.names], [true, 'win-dc01.corp.example', ['win-dc01.corp.example']]);
      assert.deepEqual(dns.questions, ['12.0.0.10.in-addr.arpa']);
      const none = await p.lookup({ kind: 'ip', value: '10.0.0.13' }, signal());
      assert.deepEqual([none.found, none.summary], [false, 'no PTR record']);
    } finally {
      await dns.close();
    }
  });

  it('a resolver that never answers is a timeout, not "no name"', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const p = new ReverseDnsProvider(reverseDnsSchema.parse({ enabled: true, timeout: '200ms', servers: [`127.0.0.1:${silent.address().port}`] }));
      await rejectsWith(p.lookup({ kind: 'ip', value: '45.9.20.1' }, signal()), 'timeout', /no answer in time/);
    } finally {
      silent.close();
    }
  });
});
