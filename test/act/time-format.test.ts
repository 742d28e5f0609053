// Times people read: the hour after midnight is 00, never 24, in UTC and in a recipient's own zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTime } from '../../src/act/render/text.js';

describe('times for people', () => {
  it('the first hour of a day reads 00, in UTC and in a zone ahead of it', () => {
    assert.equal(formatTime(Date.parse('2026-12-02T00:07:10Z')), '2026-12-02 00:07:10 GMT+00:00');
    assert.equal(formatTime(Date.parse('2026-12-01T23:07:10Z'), 'Europe/Berlin'), '2026-12-02 00:07:10 GMT+01:00');
    assert.equal(formatTime(Date.parse('2026-12-01T23:59:59Z')), '2026-12-01 23:59:59 GMT+00:00');
    assert.equal(formatTime(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York'), '2026-07-01 08:00:00 GMT-04:00');
  });
});
