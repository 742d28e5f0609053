// Which addresses may leave the organisation. Anything not globally routable unicast — private, loopback,
// link-local, CGNAT, multicast, documentation, benchmarking, reserved — and the configured internal ranges
// stay inside; so does anything that does not parse as an address.
import ipaddr from 'ipaddr.js';

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

export class AddressPolicy {
  private readonly internal: [Parsed, number][];

  constructor(internalRanges: string[] = []) {
    this.internal = internalRanges.map((r) => {
      try {
        return ipaddr.parseCIDR(r);
      } catch {
        throw new Error(`enrich.internalRanges: "${r}" is not a CIDR range`);
      }
    });
  }

  /** True only for a well-formed, globally routable unicast address outside the configured internal ranges. */
  mayLeave(address: string): boolean {
    if (!isAddress(address)) return false;
    let ip: Parsed;
    try {
      ip = ipaddr.parse(address.trim());
    } catch {
      return false;
    }
    // ::ffff:a.b.c.d is judged as the IPv4 address it carries.
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    if (ip.range() !== 'unicast') return false;
    for (const [net, bits] of this.internal) if (ip.kind() === net.kind() && ip.match(net, bits)) return false;
    return true;
  }
}

/** True when the text is an IPv4 or IPv6 address. */
export function isAddress(text: string): boolean {
  const t = text.trim();
  return ipaddr.IPv4.isValidFourPartDecimal(t) || (t.includes(':') && ipaddr.IPv6.isValid(t));
}
