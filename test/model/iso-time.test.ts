// The hand-read ISO times give exactly what Date.parse gives: on the forms alerts carry, on every edge of the
// plain form (month ends, leap years, offsets, long fractions), and on texts near it that it must leave to
// Date.parse (which is lenient in its own way: 2026-02-30 is March 2nd, T24:00 the next midnight).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTime, plainIsoTime } from '../../src/model/iso-time.js';
import { parseWazuhTime } from '../../src/model/event.js';
import { prng } from '../../bench/detect/alerts.js';

const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b;

describe('ISO times read without Date.parse', () => {
  it('reads the times Wazuh and Windows write', () => {
    assert.equal(plainIsoTime('2026-11-21T10:00:00.1234567Z'), Date.parse('2026-11-21T10:00:00.123Z'));
    assert.equal(plainIsoTime('2026-11-21T10:00:00.000+0000'), Date.parse('2026-11-21T10:00:00.000+00:00'));
    assert.equal(plainIsoTime('2026-11-21T10:00:00+05:30'), Date.parse('2026-11-21T04:30:00Z'));
    assert.equal(parseWazuhTime('2026-11-21T10:00:00.000-0230'), Date.parse('2026-11-21T12:30:00Z'));
  });

  it('leaves what is not plainly valid to Date.parse', () => {
    for (const text of ['2026-02-29T00:00:00Z', '2026-11-21T24:00:00Z', '2026-11-21T00:00:60Z', '0099-11-21T00:00:00Z', '2026-11-21T00:00:00.Z', '2026-11-21 00:00:00Z', '2026-11-21T00:00:00', '2026-11-21T00:00:00+2400'])
      assert.equal(plainIsoTime(text), undefined, text);
    assert.equal(isoTime('2026-02-30T00:00:00Z'), Date.parse('2026-02-30T00:00:00Z'));
    assert.ok(Number.isNaN(isoTime('')));
    assert.equal(isoTime(undefined), Date.parse('undefined'));
  });

  it('agrees with Date.parse on random texts of the form and near it', () => {
    const r = prng(17);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
    const num = (max: number, width: number) => String(Math.floor(r() * max)).padStart(width, '0');
    let fast = 0;
    for (let n = 0; n < 50_000; n++) {
      const year = pick(['2026', '2024', '2000', '1900', '1000', '0999', '9999', num(10_000, 4)]);
      const date = `${year}-${num(14, 2)}-${num(33, 2)}`;
      const time = `${num(26, 2)}:${num(61, 2)}:${num(62, 2)}`;
      const fraction = pick(['', '.', `.${num(10, 1)}`, `.${num(1000, 3)}`, `.${num(10_000_000, 7)}`, '.9999999999999999999', `.${num(100, 2)}x`]);
      const zone = pick(['Z', '', 'z', `+${num(25, 2)}${num(61, 2)}`, `-${num(25, 2)}:${num(61, 2)}`, '+00:0', '+0000Z', 'ZZ']);
      const text = `${date}${pick(['T', 'T', 'T', ' ', 't'])}${time}${fraction}${zone}`;
      const got = isoTime(text);
      assert.ok(same(got, Date.parse(text)), `${text}: ${got} vs ${Date.parse(text)}`);
      const wazuh = parseWazuhTime(text);
      const rewritten = /[+-]\d{4}$/.test(text) ? Date.parse(`${text.slice(0, -2)}:${text.slice(-2)}`) : Date.parse(text);
      assert.equal(wazuh, Number.isNaN(rewritten) ? undefined : rewritten, text);
      if (plainIsoTime(text) !== undefined) fast++;
    }
    // The plain path must have been taken often, or this proves nothing about it.
    assert.ok(fast > 2_000, `${fast} texts read by hand`);
  });
});
