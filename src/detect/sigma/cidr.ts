// `|cidr`: IPv4 and IPv6 networks. node:net validates address syntax; the bits are compared here.
// An IPv4-mapped IPv6 address (::ffff:10.1.2.3, as Windows writes IpAddress for IPv4 over a dual-stack
// socket) is the IPv4 address it carries.
import { isIPv4, isIPv6 } from 'node:net';
import { SigmaError } from './values.js';

let lastText: string | undefined;
let lastIp: Uint8Array | null = null;

/**
 * An address as bytes (4 or 16), or null when the text is not an IP address. Several rules test the same
 * address of one event one after the other, so the last answer is kept.
 */
export function parseIp(text: string): Uint8Array | null {
  if (text === lastText) return lastIp;
  lastIp = parseIpText(text);
  lastText = text;
  return lastIp;
}

/** Dotted-quad IPv4 without a regex or intermediate strings (the common case, on every event). */
function parseIPv4(t: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return null;
    } else if (c === 46 && digits > 0 && part < 3) {
      out[part++] = value;
      value = 0;
      digits = 0;
    } else return null;
  }
  if (part !== 3 || digits === 0) return null;
  out[3] = value;
  return out;
}

function parseIpText(text: string): Uint8Array | null {
  const t = text.trim();
  const quad = parseIPv4(t);
  if (quad) return quad;
  if (isIPv4(t)) return Uint8Array.from(t.split('.').map(Number));
  const bare = t.replace(/%.*$/, '').replace(/^\[(.*)\]$/, '$1');
  if (!isIPv6(bare)) return null;
  let head = bare;
  let tail4: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (v4) {
    tail4 = v4[1]!.split('.').map(Number);
    head = bare.slice(0, -v4[1]!.length) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const words = (s: string | undefined) => (s ? s.split(':').filter((w) => w !== '').map((w) => parseInt(w, 16)) : []);
  const l = words(left);
  const r = words(right);
  const all = right === undefined ? l : [...l, ...new Array(8 - l.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  if (tail4.length) out.set(tail4, 12);
  // IPv4-mapped: ::ffff:a.b.c.d
  if (out.slice(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff) return out.slice(12);
  return out;
}

/** A predicate for one network `addr/prefix` (host bits must be zero, sigma.md §1.6). */
export function cidrMatcher(network: string): (text: string) => boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(network.trim());
  const base = m ? parseIp(m[1]!) : parseIp(network);
  if (!base) throw new SigmaError(`"${network}" is not a CIDR network`);
  const bits = m ? Number(m[2]) : base.length * 8;
  if (bits > base.length * 8) throw new SigmaError(`"${network}": prefix longer than the address`);
  for (let i = bits; i < base.length * 8; i++) {
    if (base[i >> 3]! & (0x80 >> (i & 7))) throw new SigmaError(`"${network}" has host bits set (write the network address)`);
  }
  const full = bits >> 3;
  const rest = bits & 7;
  const mask = (0xff00 >> rest) & 0xff;
  return (text) => {
    const ip = parseIp(text);
    if (!ip || ip.length !== base.length) return false;
    for (let i = 0; i < full; i++) if (ip[i] !== base[i]) return false;
    return rest === 0 || (ip[full]! & mask) === base[full];
  };
}
