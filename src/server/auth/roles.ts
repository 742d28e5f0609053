// Roles, ranked: a viewer reads, an analyst also acts on incidents and rules, an admin also manages people and tokens.
export type Role = 'viewer' | 'analyst' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'analyst', 'admin'];

/** What a route demands: `public` needs no login; a role needs that role or a higher one. */
export type Access = 'public' | Role;

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function allows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who is calling: a logged-in person (session) or an API token. */
export interface Principal {
  kind: 'user' | 'token';
  name: string;
  role: Role;
  /** Session principals carry the CSRF token their writes must echo. */
  csrfToken?: string;
  sessionHash?: string;
}

/** The audit log's actor string. */
export const actorOf = (p: Principal): string => `${p.kind}:${p.name}`;
