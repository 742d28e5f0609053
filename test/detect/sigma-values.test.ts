// Conformance of value matching with the Sigma specification (shared/reference/sigma.md §1.3–1.6):
// wildcards, escapes, case, null and empty values, numbers, keywords, lists, and every value modifier.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64Offsets } from '../../src/detect/sigma/modifiers.js';
import { parseSigmaString } from '../../src/detect/sigma/pattern.js';
import { detect, evtx, hits, wazuh } from './sigma-helpers.js';

const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');

describe('Sigma strings: wildcards and escapes (§1.4)', () => {
  it('parses escapes left to right as pySigma does', () => {
    assert.deepEqual(parseSigmaString(String.raw`escaped\*\?\\*?`), [{ lit: 'escaped*?\\' }, { wild: '*' }, { wild: '?' }]);
    assert.deepEqual(parseSigmaString(String.raw`escaped\nonspecial`), [{ lit: String.raw`escaped\nonspecial` }]);
    assert.deepEqual(parseSigmaString('finalescape\\'), [{ lit: 'finalescape\\' }]);
    assert.deepEqual(parseSigmaString('\\\\\\\\'), [{ lit: '\\\\' }], 'four backslashes are two');
    assert.deepEqual(parseSigmaString('\\\\\\'), [{ lit: '\\\\' }], 'three backslashes are two');
  });

  it('a value without wildcards is an exact, whole-value match', () => {
    const d = `s: {Image: 'cmd.exe'}\ncondition: s`;
    assert.equal(hits(d, { Image: 'cmd.exe' }), true);
    assert.equal(hits(d, { Image: 'xcmd.exe' }), false);
    assert.equal(hits(d, { Image: 'cmd.exe ' }), false);
  });

  it('* matches any run including none, ? exactly one character', () => {
    const star = `s: {F: 'a*b'}\ncondition: s`;
    assert.equal(hits(star, { F: 'ab' }), true);
    assert.equal(hits(star, { F: 'a-x-b' }), true);
    assert.equal(hits(star, { F: 'a-x-bc' }), false);
    const q = `s: {F: 'a?c'}\ncondition: s`;
    assert.equal(hits(q, { F: 'abc' }), true);
    assert.equal(hits(q, { F: 'ac' }), false);
    assert.equal(hits(q, { F: 'abbc' }), false);
    const overlap = `s: {F: 'a*b*b'}\ncondition: s`;
    assert.equal(hits(overlap, { F: 'ab' }), false, 'a middle segment may not overlap the last');
    assert.equal(hits(overlap, { F: 'abb' }), true);
    assert.equal(hits(`s: {F: '*ab*ab*'}\ncondition: s`, { F: 'xabx' }), false);
    const mixed = `s: {F: '*x?y*z'}\ncondition: s`;
    assert.equal(hits(mixed, { F: '__x1y__z' }), true);
    assert.equal(hits(mixed, { F: 'xyz' }), false);
  });

  it("SigmaHQ's '\\\\\\\\\\*\\\\IPC$' is the literal \\\\*\\IPC$, with no wildcard", () => {
    const d = String.raw`s: {ShareName: '\\\\\*\\IPC$'}` + '\ncondition: s';
    assert.equal(hits(d, { ShareName: String.raw`\\*\IPC$` }), true);
    assert.equal(hits(d, { ShareName: String.raw`\\server\IPC$` }), false);
  });

  it('a single backslash before an ordinary character, and a trailing one, are literal', () => {
    const d = String.raw`s: {F|startswith: 'C:\Program Files (x86)\'}` + '\ncondition: s';
    assert.equal(hits(d, { F: String.raw`C:\Program Files (x86)\app.exe` }), true);
    assert.equal(hits(d, { F: String.raw`C:\Program Files (x86)` }), false);
  });

  it(String.raw`\\* is a backslash then a wildcard; \\\* a backslash then a literal *`, () => {
    assert.equal(hits(String.raw`s: {F: 'a\\*'}` + '\ncondition: s', { F: String.raw`a\anything` }), true);
    assert.equal(hits(String.raw`s: {F: 'a\\\*'}` + '\ncondition: s', { F: String.raw`a\*` }), true);
    assert.equal(hits(String.raw`s: {F: 'a\\\*'}` + '\ncondition: s', { F: String.raw`a\x` }), false);
  });

  it('regex metacharacters in plain values are literal', () => {
    const d = String.raw`s: {F: 'Test*Special?(Plain)/[\*\?]'}` + '\ncondition: s';
    assert.equal(hits(d, { F: 'Test--Special!(Plain)/[*?]' }), true);
    assert.equal(hits(d, { F: 'Test--Special!(Plain)/[a?]' }), false);
    assert.equal(hits(`s: {F: 'a.c'}\ncondition: s`, { F: 'abc' }), false);
  });
});

describe('case, null, empty, numbers, lists (§1.3, §1.5)', () => {
  it('strings are case-insensitive by default; |cased makes them sensitive', () => {
    assert.equal(hits(`s: {F|contains: 'MiMiKaTz'}\ncondition: s`, { F: 'x mimikatz y' }), true);
    assert.equal(hits(`s: {F|contains|cased: 'MiMiKaTz'}\ncondition: s`, { F: 'x mimikatz y' }), false);
    assert.equal(hits(`s: {F|contains|cased: 'MiMiKaTz'}\ncondition: s`, { F: 'x MiMiKaTz y' }), true);
    assert.equal(hits(`s: {F|cased: 'Ab?'}\ncondition: s`, { F: 'ab1' }), false);
  });

  it('null matches a missing or null field, and nothing else', () => {
    const d = `s: {F: null}\ncondition: s`;
    assert.equal(hits(d, {}), true);
    assert.equal(hits(d, { F: null }), true);
    assert.equal(hits(d, { F: '' }), false);
    assert.equal(hits(d, { F: 'x' }), false);
    assert.equal(hits(`s: {F: []}\ncondition: s`, {}), true, 'an empty list is null (pySigma)');
  });

  it("null inside a value list is OR-ed in", () => {
    const d = `s: {F: [a, null]}\ncondition: s`;
    assert.equal(hits(d, { F: 'A' }), true);
    assert.equal(hits(d, {}), true);
    assert.equal(hits(d, { F: 'b' }), false);
  });

  it("'' matches the empty value; evtx_dump writes an empty element as null, which matches '' too", () => {
    const d = `s: {F: ''}\ncondition: s`;
    assert.equal(hits(d, { F: '' }), true);
    assert.equal(hits(d, { F: null }), true);
    assert.equal(hits(d, {}), false);
    assert.equal(hits(d, { F: ' ' }), false);
  });

  it('on Wazuh alerts an absent eventchannel field stands for "-", "(NULL)" and "" (Wazuh drops them)', () => {
    const m = detect(`s: {IpAddress: '-'}\ncondition: s`, 'wazuh');
    assert.equal(m(wazuh({})), true);
    assert.equal(m(wazuh({ ipAddress: '10.0.0.1' })), false);
    const f = detect(`s: {EventID: 4625}\nf: {IpAddress|contains: '-'}\ncondition: s and not f`, 'wazuh');
    assert.equal(f(wazuh({})), false, 'the filter of win_security_susp_failed_logon_source still excludes local logons');
    assert.equal(f(wazuh({ ipAddress: '203.0.113.7' })), true);
    assert.equal(detect(`s: {data.srcip: '-'}\ncondition: s`, 'wazuh')(wazuh({})), false, 'only eventchannel fields');
  });

  it('a numeric rule value matches the number or its decimal string; a string value matches a number', () => {
    assert.equal(detect(`s: {EventID: 4625}\ncondition: s`, 'wazuh')(wazuh({})), true, '"4625" in Wazuh');
    assert.equal(hits(`s: {EventID: 4625}\ncondition: s`, {}), true, '4625 in evtx');
    assert.equal(hits(`s: {EventID: '4625'}\ncondition: s`, {}), true);
    assert.equal(hits(`s: {EventID: 4624}\ncondition: s`, {}), false);
    assert.equal(hits(`s: {LogonType: 3}\ncondition: s`, { LogonType: '03' }), true);
    assert.equal(hits(`s: {LogonType: 3}\ncondition: s`, { LogonType: '3x' }), false);
  });

  it('a list of values is an OR; a field holding a list matches when any element does', () => {
    const d = `s: {F: [a, b]}\ncondition: s`;
    assert.equal(hits(d, { F: 'b' }), true);
    assert.equal(hits(d, { F: 'c' }), false);
    assert.equal(hits(d, { F: ['x', 'A'] }), true);
  });

  it('a long list of exact values (one set lookup) keeps case, cased and the Wazuh stand-ins', () => {
    const d = `s: {F: [Alpha, beta, Gamma, delta, '-']}\ncondition: s`;
    assert.equal(hits(d, { F: 'GAMMA' }), true);
    assert.equal(hits(d, { F: 'gamm' }), false);
    assert.equal(hits(d, { F: ['x', 'BETA'] }), true);
    assert.equal(hits(`s: {F|cased: [Alpha, beta, Gamma, delta]}\ncondition: s`, { F: 'gamma' }), false);
    assert.equal(hits(`s: {F|cased: [Alpha, beta, Gamma, delta]}\ncondition: s`, { F: 'Gamma' }), true);
    assert.equal(detect(`s: {IpAddress: [a, b, c, '-']}\ncondition: s`, 'wazuh')(wazuh({})), true);
    assert.equal(detect(`s: {IpAddress: [a, b, c, d]}\ncondition: s`, 'wazuh')(wazuh({})), false);
  });

  it('a long contains list (one scan of the value) matches exactly what its values match one by one', () => {
    // Plain texts (emoji, a backslash path, mixed case) beside values that take the general path: wildcards
    // (the keycap emoji *️⃣ is one), an empty value, a number.
    const values = ['🤷🏼', '🙎🏼‍♀️', '\\\\Temp\\', 'Invoke-Expression', 'FromBase64String', ' -enc ', ' -EncodedCommand ', 'iex(', 'DownloadString', 'bitsadmin', 'certutil -urlcache',
      'rundll32', 'regsvr32 /s', 'mshta http', 'wscript', 'cscript', '\\AppData\\Roaming\\', 'vssadmin delete', 'shadowcopy', 'ab'];
    const extra = ['*️⃣', 'x*y', '', 42];
    const inputs = ['C:\\Windows\\Temp\\a.exe', 'powershell -ENC aGVsbG8=', 'POWERSHELL IEX(new-object)', 'say 🤷🏼 hi', 'keycap *️⃣ here', 'x then y', 'plain text', 'id 42 here',
      'CERTUTIL -URLCACHE -f http://x', 'cab', 'a', '', 'AB', 'rundll3', ['nothing', 'still nothing'], ['nothing', 'Wscript.exe']];
    for (const list of [values, [...values, ...extra]]) {
      for (const mods of ['contains', 'contains|cased']) {
        const whole = detect({ s: { [`F|${mods}`]: list }, condition: 's' });
        const each = list.map((v) => detect({ s: { [`F|${mods}`]: [v] }, condition: 's' }));
        for (const F of inputs) {
          const event = evtx({ F });
          assert.equal(whole(event), each.some((m) => m(event)), `${mods} ${JSON.stringify(F)} (${list.length} values)`);
        }
      }
    }
    assert.equal(detect({ s: { 'F|contains': values }, condition: 's' })(evtx({ F: 'x INVOKE-EXPRESSION y' })), true);
    assert.equal(detect({ s: { 'F|contains|cased': values }, condition: 's' })(evtx({ F: 'x INVOKE-EXPRESSION y' })), false);
    assert.equal(detect({ s: { 'F|contains': values }, condition: 's' })(evtx({ F: 'nothing listed' })), false);
  });

  it('a map is an AND of its items; a list of maps an OR of the maps', () => {
    const m = `s: {A: 1, B: 2}\ncondition: s`;
    assert.equal(hits(m, { A: 1, B: 2 }), true);
    assert.equal(hits(m, { A: 1, B: 3 }), false);
    const l = `s:\n  - {A: 1, B: 2}\n  - {C: 3}\ncondition: s`;
    assert.equal(hits(l, { A: 1, B: 5, C: 3 }), true);
    assert.equal(hits(l, { A: 1, B: 5 }), false);
  });

  it('booleans compare by their text', () => {
    assert.equal(hits(`s: {F: true}\ncondition: s`, { F: true }), true);
    assert.equal(hits(`s: {F: true}\ncondition: s`, { F: 'True' }), true);
    assert.equal(hits(`s: {F: false}\ncondition: s`, { F: true }), false);
  });
});

describe('keywords (§1.3)', () => {
  it('a keyword list is a case-insensitive substring OR over the log text', () => {
    const m = detect(`k: ['unexpected internal error', 'bad*packet']\ncondition: k`, 'wazuh');
    assert.equal(m({ full_log: 'sshd[1]: fatal: Unexpected internal error x' }), true);
    assert.equal(m({ full_log: 'sshd[1]: Bad ugly packet length' }), true);
    assert.equal(m({ full_log: 'sshd[1]: accepted' }), false);
  });

  it("'|all' makes every keyword required", () => {
    const m = detect(`k: {'|all': [useradd, 'uid=0']}\ncondition: k`, 'wazuh');
    assert.equal(m({ full_log: 'useradd[9]: new user: name=x, UID=0' }), true);
    assert.equal(m({ full_log: 'useradd[9]: new user: name=x, UID=1000' }), false);
  });

  it('a single scalar search identifier is a keyword', () => {
    assert.equal(detect(`k: 'hello'\ncondition: k`, 'wazuh')({ full_log: 'say Hello there' }), true);
  });
});

describe('value modifiers (§1.6)', () => {
  it('contains, startswith, endswith add a * only where there is none', () => {
    assert.equal(hits(`s: {F|contains: 'b'}\ncondition: s`, { F: 'abc' }), true);
    assert.equal(hits(`s: {F|startswith: 'a'}\ncondition: s`, { F: 'abc' }), true);
    assert.equal(hits(`s: {F|startswith: 'b'}\ncondition: s`, { F: 'abc' }), false);
    assert.equal(hits(`s: {F|endswith: 'c'}\ncondition: s`, { F: 'abc' }), true);
    assert.equal(hits(`s: {F|endswith: 'b'}\ncondition: s`, { F: 'abc' }), false);
    assert.equal(hits(`s: {F|contains: '*b?'}\ncondition: s`, { F: 'abc' }), true);
    assert.equal(hits(`s: {F|contains: '*b?'}\ncondition: s`, { F: 'ab' }), false);
  });

  it('all turns the value list into an AND; with one value it changes nothing', () => {
    const d = `s: {F|contains|all: [foo, bar]}\ncondition: s`;
    assert.equal(hits(d, { F: 'bar and foo' }), true);
    assert.equal(hits(d, { F: 'foo only' }), false);
    assert.equal(hits(`s: {F|all: [x]}\ncondition: s`, { F: 'x' }), true);
  });

  it('re is a case-sensitive substring search; i, m, s set the flags', () => {
    assert.equal(hits(`s: {F|re: 'b+c'}\ncondition: s`, { F: 'abbbcd' }), true);
    assert.equal(hits(`s: {F|re: '^b'}\ncondition: s`, { F: 'abc' }), false);
    assert.equal(hits(`s: {F|re: 'ABC'}\ncondition: s`, { F: 'abc' }), false);
    assert.equal(hits(`s: {F|re|i: 'ABC'}\ncondition: s`, { F: 'abc' }), true);
    assert.equal(hits(`s: {F|re|ignorecase: 'ABC'}\ncondition: s`, { F: 'abc' }), true);
    assert.equal(hits(`s: {F|re: '^y'}\ncondition: s`, { F: 'x\ny' }), false);
    assert.equal(hits(`s: {F|re|m: '^y'}\ncondition: s`, { F: 'x\ny' }), true);
    assert.equal(hits(`s: {F|re: 'x.y'}\ncondition: s`, { F: 'x\ny' }), false);
    assert.equal(hits(`s: {F|re|s: 'x.y'}\ncondition: s`, { F: 'x\ny' }), true);
  });

  it('re values are raw: no Sigma escaping or wildcards', () => {
    assert.equal(hits(String.raw`s: {F|re: 'a\*b'}` + '\ncondition: s', { F: 'a*b' }), true);
    assert.equal(hits(`s: {F|re: 'a*b'}\ncondition: s`, { F: 'b' }), true);
  });

  it('a leading (?i), as SigmaHQ writes it, makes the regex case-insensitive', () => {
    assert.equal(hits(`s: {F|re: '(?i)invoke-expression'}\ncondition: s`, { F: 'x INVOKE-Expression y' }), true);
    assert.equal(hits(`s: {F|re: '(?i)invoke-expression'}\ncondition: s`, { F: 'x Invoke-Command y' }), false);
  });

  it('a hostile value cannot make a regex backtrack: (a+)+$ over a long run of a then b answers at once', () => {
    const m = detect(`s: {F|re: '^(a+)+$'}\ncondition: s`);
    assert.equal(m(evtx({ F: 'a'.repeat(5000) + 'b' })), false);
    assert.equal(m(evtx({ F: 'a'.repeat(5000) })), true);
    const glob = detect(`s: {F: '*a*a*a*a*a*a*b'}\ncondition: s`);
    assert.equal(glob(evtx({ F: 'a'.repeat(20000) })), false);
  });

  it('re searches the whole value: past 16 KiB nothing is cut off, so no false match and no missed one', () => {
    const anchored = detect(`s: {F|re: '^(a+)+$'}\ncondition: s`);
    assert.equal(anchored(evtx({ F: 'a'.repeat(20000) + '!' })), false, 'a cut-off value would match where the whole does not');
    assert.equal(anchored(evtx({ F: 'a'.repeat(300_000) })), true);
    const late = detect(`s: {F|re: 'mimikatz'}\ncondition: s`);
    assert.equal(late(evtx({ F: 'x'.repeat(20000) + ' mimikatz' })), true, 'a match past 16 KiB is found');
    assert.equal(late(evtx({ F: 'x'.repeat(1_000_000) + ' mimikatz' })), true, 'and past 1 MB');
  });

  it('base64 matches the base64 of the UTF-8 value', () => {
    assert.equal(hits(`s: {F|base64: foobar}\ncondition: s`, { F: 'Zm9vYmFy' }), true);
    assert.equal(hits(`s: {F|base64|contains: 'http://'}\ncondition: s`, { F: `x ${b64('http://')} y` }), true);
    assert.equal(hits(`s: {F|base64: foobar}\ncondition: s`, { F: 'foobar' }), false);
  });

  it('base64offset gives the three offsets of pySigma (foobar → Zm9vYmFy, Zvb2Jhc, mb29iYX)', () => {
    assert.deepEqual(base64Offsets(Buffer.from('foobar')), ['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
    const d = `s: {F|base64offset|contains: 'IEX (New-Object'}\ncondition: s`;
    for (const pad of ['', 'x', 'xy', 'xyz']) assert.equal(hits(d, { F: 'powershell -enc ' + b64(pad + 'IEX (New-Object Net.WebClient)') }), true, pad);
    assert.equal(hits(d, { F: b64('something else entirely') }), false);
  });

  it('utf16le/wide, utf16be and utf16 encode before base64, as in |wide|base64offset|contains', () => {
    const d = `s: {F|wide|base64offset|contains: 'ping'}\ncondition: s`;
    for (const pad of ['', 'a', 'ab']) assert.equal(hits(d, { F: b64(pad + 'cmd /c ping 1.1.1.1', 'utf16le') }), true, pad);
    assert.equal(hits(d, { F: b64('cmd /c ping 1.1.1.1') }), false, 'UTF-8 is not UTF-16');
    assert.equal(hits(`s: {F|utf16le|base64: cmd}\ncondition: s`, { F: b64('cmd', 'utf16le') }), true);
    assert.equal(hits(`s: {F|utf16be|base64: cmd}\ncondition: s`, { F: b64('\0c\0m\0d', 'latin1') }), true);
    assert.equal(hits(`s: {F|utf16|base64: cmd}\ncondition: s`, { F: b64('\ufeffcmd', 'utf16le') }), true);
    assert.equal(hits(`s: {F|wide: 'ab'}\ncondition: s`, { F: 'a\0b\0' }), true);
  });

  it('windash: a word-leading - or / may be any of - / – — ―; an inner - stays', () => {
    const d = `s: {F|windash|contains: '-param-1 -param2'}\ncondition: s`;
    for (const a of ['-', '/', '\u2013', '\u2014', '\u2015'])
      for (const b of ['-', '/', '\u2013']) assert.equal(hits(d, { F: `x.exe ${a}param-1 ${b}param2` }), true, a + b);
    assert.equal(hits(d, { F: 'x.exe -param/1 -param2' }), false);
    const all = `s: {F|windash|contains|all: ['-foo', '-bar']}\ncondition: s`;
    assert.equal(hits(all, { F: '/foo \u2014bar' }), true, 'variants OR-ed within each value even under all');
    assert.equal(hits(all, { F: '/foo' }), false);
  });

  it('cidr: IPv4 and IPv6 networks, a list is an OR, non-addresses never match', () => {
    const d = `s: {IpAddress|cidr: ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32', 'fe80::/10']}\ncondition: s`;
    assert.equal(hits(d, { IpAddress: '10.200.3.4' }), true);
    assert.equal(hits(d, { IpAddress: '192.168.7.1' }), true);
    assert.equal(hits(d, { IpAddress: '11.0.0.1' }), false);
    assert.equal(hits(d, { IpAddress: '2001:db8:1::5' }), true);
    assert.equal(hits(d, { IpAddress: '2001:db9::1' }), false);
    assert.equal(hits(d, { IpAddress: 'fe80::1%12' }), true);
    assert.equal(hits(d, { IpAddress: '::ffff:10.1.2.3' }), true, 'IPv4-mapped IPv6 is its IPv4 address');
    assert.equal(hits(d, { IpAddress: '-' }), false);
    assert.equal(hits(d, { IpAddress: 'localhost' }), false);
    assert.equal(hits(`s: {IpAddress|cidr: '172.16.0.0/12'}\ncondition: s`, { IpAddress: '172.31.255.255' }), true);
    assert.equal(hits(`s: {IpAddress|cidr: '172.16.0.0/12'}\ncondition: s`, { IpAddress: '172.32.0.0' }), false);
  });

  it('exists: present (even empty or null) or absent', () => {
    assert.equal(hits(`s: {F|exists: true}\ncondition: s`, { F: '' }), true);
    assert.equal(hits(`s: {F|exists: true}\ncondition: s`, { F: null }), true);
    assert.equal(hits(`s: {F|exists: true}\ncondition: s`, {}), false);
    assert.equal(hits(`s: {F|exists: false}\ncondition: s`, {}), true);
    assert.equal(hits(`s: {F|exists: 'yes'}\ncondition: s`, { F: 'x' }), true);
  });

  it('expand: %name% placeholders take their values from configuration', () => {
    const placeholders = { admins: ['adm_*', 'Administrator'] };
    const d = `s: {TargetUserName|expand: '%admins%'}\ncondition: s`;
    assert.equal(hits(d, { TargetUserName: 'adm_jane' }, { placeholders }), true);
    assert.equal(hits(d, { TargetUserName: 'administrator' }, { placeholders }), true);
    assert.equal(hits(d, { TargetUserName: 'jane' }, { placeholders }), false);
    assert.equal(hits(`s: {F|contains|expand: 'x\\%%admins%'}\ncondition: s`, { F: '1x%adm_2' }, { placeholders }), true, 'escaped % is literal');
  });

  it('fieldref compares two fields of the same event (case-insensitive), with contains/startswith/endswith', () => {
    const d = `s: {SubjectUserName|fieldref: TargetUserName}\ncondition: s`;
    assert.equal(hits(d, { SubjectUserName: 'Jane', TargetUserName: 'jane' }), true);
    assert.equal(hits(d, { SubjectUserName: 'Jane', TargetUserName: 'john' }), false);
    assert.equal(hits(d, { SubjectUserName: 'Jane' }), false);
    assert.equal(hits(`s: {A|fieldref|contains: B}\ncondition: s`, { A: 'xx-abc-yy', B: 'ABC' }), true);
    assert.equal(hits(`s: {A|fieldref|startswith: B}\ncondition: s`, { A: 'abc-yy', B: 'abc' }), true);
    assert.equal(hits(`s: {A|fieldref|endswith: B}\ncondition: s`, { A: 'abc-yy', B: 'abc' }), false);
    assert.equal(hits(`s: {A|fieldref|cased: B}\ncondition: s`, { A: 'Abc', B: 'abc' }), false);
  });

  it('gt, gte, lt, lte compare numbers; a non-numeric value does not match', () => {
    assert.equal(hits(`s: {N|gt: 5}\ncondition: s`, { N: '6' }), true);
    assert.equal(hits(`s: {N|gt: 5}\ncondition: s`, { N: 5 }), false);
    assert.equal(hits(`s: {N|gte: 5}\ncondition: s`, { N: 5 }), true);
    assert.equal(hits(`s: {N|lt: 5}\ncondition: s`, { N: '4.5' }), true);
    assert.equal(hits(`s: {N|lte: 5}\ncondition: s`, { N: '5' }), true);
    assert.equal(hits(`s: {N|lte: 5}\ncondition: s`, { N: 'five' }), false);
    assert.equal(hits(`s: {N|lt: 5}\ncondition: s`, {}), false);
  });

  it('neq negates the whole item: not any of the values; a missing field satisfies it', () => {
    const d = `s: {F|neq: [a, b]}\ncondition: s`;
    assert.equal(hits(d, { F: 'c' }), true);
    assert.equal(hits(d, { F: 'A' }), false);
    assert.equal(hits(d, { F: 'b' }), false);
    assert.equal(hits(d, {}), true);
  });
});
