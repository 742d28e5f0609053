// Who this process is among the nodes sharing one store: what leases, outbox claims and audit rows name.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A holder id for this process: host, pid and a random suffix (unique per start). */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
