// The guard rails a block must pass: never an allowlisted address or asset, never a private, loopback or
// link-local address unless allowed, never the manager or a gateway, never past the hourly blast-radius cap.
// Each refusal says why, and the reason lands in the audit log.
import { BlockList, isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { ResponseConfig } from '../../config/schema.js';
import type { Database } from '../../store/schema.js';
import type { InventoryAgent } from './api.js';
import { blocksSince } from './ledger.js';

const PRIVATE_RANGES: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

function blockList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** An IPv4-mapped IPv6 address (::ffff:203.0.113.7) is judged as the IPv4 address it is. */
export function normaliseAddress(address: string): string | undefined {
  const a = address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return isIP(a) === 0 ? undefined : a;
}

export type Verdict = { ok: true; address: string } | { ok: false; reason: string };

export class Guard {
  private readonly allow: BlockList;
  private readonly infrastructure: BlockList;
  private readonly privateRanges = new BlockList();

  constructor(private readonly config: ResponseConfig) {
    this.allow = blockList(config.allowlist);
    this.infrastructure = blockList([...config.managers, ...config.gateways]);
    for (const [addr, bits, type] of PRIVATE_RANGES) this.privateRanges.addSubnet(addr, bits, type);
  }

  /** Checks that need no network: run when a block is requested and again before it runs. */
  checkAddress(raw: string): Verdict {
    const address = normaliseAddress(raw);
    if (!address) return { ok: false, reason: `not an IP address: ${JSON.stringify(raw.slice(0, 64))}` };
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.allow.check(address, type)) return { ok: false, reason: `${address} is allowlisted (actions.response.allowlist)` };
    if (this.infrastructure.check(address, type)) return { ok: false, reason: `${address} is a manager or gateway address (actions.response.managers/gateways)` };
    if (!this.config.allowPrivate && this.privateRanges.check(address, type)) {
      return { ok: false, reason: `${address} is a private, loopback, link-local or multicast address (actions.response.allowPrivate is off)` };
    }
    return { ok: true, address };
  }

  /** The inventory check: an address that belongs to an allowlisted asset is never blocked. */
  checkAssets(address: string, inventory: InventoryAgent[]): Verdict {
    const allowed = new Set(this.config.allowAssets.map((a) => a.toLowerCase()));
    for (const agent of inventory) {
      if (!allowed.has(agent.id.toLowerCase()) && !allowed.has(agent.name.toLowerCase())) continue;
      if ([agent.ip, agent.registerIP].some((ip) => ip && normaliseAddress(ip) === address)) {
        return { ok: false, reason: `${address} belongs to allowlisted asset ${agent.name} (${agent.id}) (actions.response.allowAssets)` };
      }
    }
    return { ok: true, address };
  }

  /** The blast-radius cap: blocks started in the hour before `now`. */
  async checkCap(db: Kysely<Database>, now: number): Promise<Verdict & { count?: number }> {
    const count = await blocksSince(db, now - 3_600_000);
    if (count >= this.config.maxBlocksPerHour) {
      return { ok: false, reason: `blast-radius cap reached: ${count} blocks in the last hour (actions.response.maxBlocksPerHour = ${this.config.maxBlocksPerHour})` };
    }
    return { ok: true, address: '', count };
  }
}
