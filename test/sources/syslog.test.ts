import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Intake } from '../../src/sources/intake.js';
import { parseSyslog, SyslogFramer } from '../../src/sources/syslog-message.js';
import { SyslogSource } from '../../src/sources/syslog.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { quietLog } from '../helpers/quiet.js';
import { until } from '../helpers/vigil.js';

let n = 0;
const alert = () => failedLogon4625({ ip: '203.0.113.7', time: new Date('2026-11-21T10:00:00Z'), id: `1763719200.${7000 + ++n}` });
/** As Wazuh's csyslogd formats `json` output: `<PRI>Mmm dd hh:mm:ss host ossec: {alert}` (RFC 3164). */
const wazuhJson = (a: unknown) => `<132>Nov 21 10:00:00 wazuh-manager ossec: ${JSON.stringify(a)}`;
const rfc5424 = (a: unknown) => Buffer.concat([Buffer.from('<134>1 2026-11-21T10:00:00.000Z wazuh-manager ossec - - [meta x="a]\\"b" y="{"] '), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(a))]);

describe('syslog message parsing', () => {
  it('takes the JSON payload out of an RFC 3164 message as Wazuh sends it', () => {
    const a = alert();
    assert.deepEqual(JSON.parse(parseSyslog(Buffer.from(wazuhJson(a))).payload.toString()), a);
    assert.equal(parseSyslog(Buffer.from(wazuhJson(a))).pri, 132);
  });

  it('takes MSG out of RFC 5424, past structured data with escaped brackets and a BOM', () => {
    const a = alert();
    assert.deepEqual(JSON.parse(parseSyslog(rfc5424(a)).payload.toString()), a);
    const nil = parseSyslog(Buffer.from('<14>1 - host app - - - {"x":1}'));
    assert.equal(nil.payload.toString(), '{"x":1}');
  });

  it('frames octet-counted and newline-delimited TCP streams, split anywhere', () => {
    const msgs = ['<13>Nov 21 10:00:00 h t: {"a":1}', '<13>Nov 21 10:00:01 h t: {"a":"é"}'];
    const octet = Buffer.from(msgs.map((m) => `${Buffer.byteLength(m)} ${m}`).join(''));
    const lines = Buffer.from(msgs.join('\r\n') + '\n');
    for (const stream of [octet, lines]) {
      for (let cut = 1; cut < stream.length; cut += 7) {
        const f = new SyslogFramer(1000);
        const out: string[] = [];
        f.push(stream.subarray(0, cut), (x) => out.push(x.toString()), () => assert.fail('not too large'));
        f.push(stream.subarray(cut), (x) => out.push(x.toString()), () => assert.fail('not too large'));
        assert.deepEqual(out, msgs);
      }
    }
  });

  it('skips an over-long frame without buffering it and goes on', () => {
    const f = new SyslogFramer(100);
    const out: string[] = [];
    const big: number[] = [];
    const long = 'x'.repeat(500);
    f.push(Buffer.from(`500 ${long}8 {"ok":1}`), (x) => out.push(x.toString()), (size) => big.push(size));
    f.push(Buffer.from(long.slice(0, 200)), (x) => out.push(x.toString()), (size) => big.push(size));
    f.push(Buffer.from(long + '\n<1>x: {"ok":2}\n'), (x) => out.push(x.toString()), (size) => big.push(size));
    assert.deepEqual(out, ['{"ok":1}', '<1>x: {"ok":2}']);
    // The octet-counted one is reported with its declared length; the newline-framed one once, with the bytes seen
    // when it passed the limit, and the rest of it up to its newline is discarded.
    assert.deepEqual(big, [500, 200]);
  });
});

describe('syslog receiver', () => {
  let store: OpenedDb;
  let src: SyslogSource;
  const ids = async () => (await store.db.selectFrom('alerts').select('event_id').execute()).map((r) => r.event_id);
  const reasons = async () => (await store.db.selectFrom('ingest_quarantine').select('reason').orderBy('id').execute()).map((r) => r.reason);

  before(async () => {
    store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-syslog-')), 'vigil.db'));
    const intake = new Intake(store.db, quietLog, { maxAlertBytes: 64 * 1024, onRecorded: () => {} });
    src = new SyslogSource({ udp: '127.0.0.1:0', tcp: '127.0.0.1:0' }, { intake, log: quietLog, maxAlertBytes: 64 * 1024 });
    await src.start();
  });
  after(async () => {
    await src.stop();
    await store.close();
  });

  it('records alerts that Wazuh syslog_output (format json) sends over UDP', async () => {
    const sock = createSocket('udp4');
    const sent = [alert(), alert(), alert()];
    for (const a of sent) await new Promise<void>((r) => sock.send(wazuhJson(a), src.udpAddress!.port, '127.0.0.1', () => r()));
    sock.close();
    await until(async () => (await ids()).length >= 3, 5000, 'UDP alerts');
    for (const a of sent) assert.ok((await ids()).includes(a.id as string));
  });

  it('records octet-counted RFC 5424 and newline-framed RFC 3164 over TCP, and quarantines what is not an alert', async () => {
    const before = (await ids()).length;
    const a1 = alert();
    const a2 = alert();
    const a3 = alert();
    const f1 = rfc5424(a1);
    const octet = Buffer.concat([Buffer.from(`${f1.length} `), f1]);
    const s = connect(src.tcpAddress!.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write(octet.subarray(0, 40));
    s.write(octet.subarray(40));
    const s2 = connect(src.tcpAddress!.port, '127.0.0.1');
    await new Promise((r) => s2.once('connect', r));
    s2.write(wazuhJson(a2) + '\n' + '<132>Nov 21 10:00:00 wazuh-manager ossec: Alert Level: 5; Rule: 60122 - not json\n');
    s2.write(Buffer.concat([Buffer.from('<132>Nov 21 10:00:00 m ossec: {"bad":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
    s2.write(wazuhJson(a3) + '\r\n');
    s.end();
    s2.end();
    await until(async () => (await ids()).length >= before + 3, 5000, 'TCP alerts');
    const all = await ids();
    for (const a of [a1, a2, a3]) assert.ok(all.includes(a.id as string));
    await until(async () => (await reasons()).length >= 2, 5000, 'quarantine');
    assert.deepEqual(await reasons(), ['invalid', 'invalid-utf8']);
  });
});
