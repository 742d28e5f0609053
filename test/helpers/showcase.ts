// A running Vigil with a queue an analyst would recognise, for the layout, accessibility and screenshot tests:
// a brute force from a malicious address with a block awaiting approval, an acknowledged one against a long
// account name, a resolved one with a verdict, and one from alerts whose own timestamps are years old.
// Every alert is SYNTHETIC (test/helpers/fixtures.ts); the reputation answers come from the fake VirusTotal.
import type { ParsedMail } from 'mailparser';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';
import { FakeWazuhAr } from '../fakes/wazuh-ar.js';
import { burst, ndjson } from './fixtures.js';
import { call, userSession, type Session } from './session.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { post, startVigil, until, type Running } from './vigil.js';

export const ATTACKER = '45.9.40.77';
export const LONG_USER = 'svc-backup-replication-account@corp.example';
const PUBLIC_URL = 'https://vigil.example.org';

export interface Showcase {
  v: Running;
  smtp: TestSmtp;
  wazuh: FakeWazuhAr;
  analyst: Session;
  /** The incident of the malicious address, with its block awaiting approval. */
  incidentId: string;
  /** Every incident id, by the address it is about. */
  incidents: Record<string, string>;
  /** The approval link of the proposed block, on this server. */
  approvalUrl: string;
  /** The mails received so far (the open mail of each incident, then any update). */
  mails: ParsedMail[];
  close(): Promise<void>;
}

async function incidentOf(v: Running, analyst: Session, ip: string): Promise<string> {
  let id = '';
  await until(
    async () => {
      const r = await call(v, 'GET', `/api/v1/incidents?status=open,acknowledged,resolved&indicator=${encodeURIComponent(ip)}`, analyst);
      id = r.json?.items?.[0]?.id ?? '';
      return id !== '';
    },
    20_000,
    `the incident of ${ip}`,
  );
  return id;
}

export async function startShowcase(): Promise<Showcase> {
  const smtp = await startSmtp();
  const vt: FakeVirusTotal = await startFakeVirusTotal(['vt-key']);
  vt.reports.set(ATTACKER, { malicious: 12, suspicious: 2, asn: 64500, asOwner: 'Example Hosting', country: 'NL' });
  const wazuh = new FakeWazuhAr([{ id: '003', name: 'WIN-DC01', ip: '10.0.0.12', os: { platform: 'windows', name: 'Microsoft Windows Server 2022' } }]);
  const v = await startVigil(
    {
      channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
      enrich: { virustotal: { enabled: true, apiKey: 'vt-key', baseUrl: vt.url } },
      // EDGE-GW is never blocked: a test adds it to the inventory with the attacker's address to see a refusal.
      actions: { approvals: { publicUrl: PUBLIC_URL, secret: 'showcase-approval-key' }, response: { allowAssets: ['EDGE-GW'] } },
      playbooks: [
        {
          name: 'brute-force',
          match: { rules: ['*Brute Force*'] },
          actions: [{ notify: 'email' }, { block: { mode: 'approval' } }],
        },
      ],
    },
    'sqlite',
    undefined,
    { responseApi: wazuh },
  );
  const analyst = await userSession(v, 'anna', 'analyst');
  const now = Date.now();
  const ingest = async (alerts: unknown[]) => {
    const r = await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts));
    if (r.status !== 202) throw new Error(`ingest: ${r.status} ${JSON.stringify(r.json)}`);
  };
  await ingest(burst(ATTACKER, 6, new Date(now - 6 * 60_000), 20_000));
  await ingest(burst('198.51.100.23', 8, new Date(now - 40 * 60_000), 15_000, LONG_USER));
  await ingest(burst('192.0.2.44', 5, new Date(now - 3 * 3600_000), 30_000, 'backup'));
  // A host whose clock (or a replayed file) dates its alerts years back: received now, still a new incident.
  await ingest(burst('203.0.113.9', 5, new Date(Date.UTC(2021, 0, 14, 9, 30)), 10_000, 'Administrator'));

  const incidents: Record<string, string> = {};
  for (const ip of [ATTACKER, '198.51.100.23', '192.0.2.44', '203.0.113.9']) incidents[ip] = await incidentOf(v, analyst, ip);
  await call(v, 'POST', `/api/v1/incidents/${incidents['198.51.100.23']}/acknowledge`, analyst, {});
  // A verdict resolves the incident (its comment is the resolution's).
  const verdict = await call(v, 'POST', `/api/v1/incidents/${incidents['192.0.2.44']}/verdict`, analyst, { verdict: 'benign', comment: 'nightly backup job with an expired password' });
  if (verdict.status !== 200) throw new Error(`verdict: ${verdict.status} ${JSON.stringify(verdict.json)}`);
  // Silences for the Silences page: one for every rule that never expires, one for a rule with a long account name.
  for (const body of [
    { indicator: { kind: 'host', value: 'BACKUP-SRV-01' }, reason: 'backup server: its service account fails logons nightly' },
    { indicator: { kind: 'user', value: LONG_USER }, ruleId: v.vigil.rules.rules[0]!.ref.id, reason: 'pen test account of the red team', expiresInMs: 7 * 86_400_000 },
  ]) {
    const made = await call(v, 'POST', '/api/v1/suppressions', analyst, body);
    if (made.status !== 201) throw new Error(`suppression: ${made.status} ${JSON.stringify(made.json)}`);
  }

  const mails = await smtp.waitFor(1, 20_000);
  const linkRe = new RegExp(`block ${ATTACKER.replaceAll('.', '\\.')} on \\S+: (https://\\S+)`);
  const withLink = () => smtp.messages.find((m) => linkRe.test(m.text ?? ''));
  await until(() => withLink() !== undefined, 20_000, 'the mail with the approval link');
  const link = new URL(linkRe.exec(withLink()!.text ?? '')![1]!);
  return {
    v,
    smtp,
    wazuh,
    analyst,
    incidentId: incidents[ATTACKER]!,
    incidents,
    approvalUrl: `${v.url}${link.pathname}${link.search}`,
    mails,
    async close() {
      await v.stop();
      await smtp.close();
      await vt.close();
    },
  };
}
