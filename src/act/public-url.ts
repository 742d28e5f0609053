// Where people reach this Vigil: the base of the links in messages (the incident's page, approval links).
// `actions.approvals.publicUrl` when set; otherwise derived from `server.listen`, which works only on this
// host (or inside its network) — start-up warns about that.
import { hostname } from 'node:os';

export interface PublicUrl {
  url: string;
  /** True when derived from the listen address rather than configured. */
  derived: boolean;
}

export function publicUrlOf(configured: string, listen: string): PublicUrl {
  if (configured.trim()) return { url: configured.trim().replace(/\/+$/, ''), derived: false };
  const i = listen.lastIndexOf(':');
  let host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = listen.slice(i + 1);
  // A wildcard address is no place to point a browser at: the machine's name is the best guess.
  if (host === '0.0.0.0' || host === '::' || host === '') host = hostname();
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, derived: true };
}

/** The incident's page in the dashboard. */
export const incidentPage = (base: string, id: string) => `${base}/#/incidents/${encodeURIComponent(id)}`;
