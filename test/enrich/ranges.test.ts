import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPolicy } from '../../src/enrich/ranges.js';

describe('which addresses may leave', () => {
  const policy = new AddressPolicy(['81.2.69.0/24', '2a02:1::/32']);
  it('never: private, loopback, link-local, CGNAT, multicast, documentation, reserved, mapped-private, junk', () => {
    for (const a of ['10.1.2.3', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '224.0.0.1', '0.0.0.0', '255.255.255.255',
      '192.0.2.1', '198.51.100.7', '203.0.113.7', '198.18.0.1', '240.0.0.1', '::1', 'fe80::1', 'fc00::1', 'fd12::1', 'ff02::1', '2001:db8::1',
      '::ffff:10.0.0.1', 'not-an-ip', '', '1.2.3'])
      assert.equal(policy.mayLeave(a), false, a);
  });
  it('never: the configured internal ranges', () => {
    assert.equal(policy.mayLeave('81.2.69.160'), false);
    assert.equal(policy.mayLeave('2a02:1:2::5'), false);
  });
  it('global unicast does', () => {
    for (const a of ['8.8.8.8', '45.9.20.1', '2a00:1450:4001::1', '::ffff:8.8.8.8']) assert.equal(policy.mayLeave(a), true, a);
  });
  it('a bad internal range is an error naming it', () => {
    assert.throws(() => new AddressPolicy(['10.0.0.0/33']), /enrich\.internalRanges: "10\.0\.0\.0\/33" is not a CIDR range/);
  });
});
