// The server-side ledger of offences. Vigil, not the agent, remembers how often an address was blocked, so a
// repeat offender's block lasts longer on every platform (Wazuh's repeated_offenders works only on Linux agents).
import type { Kysely } from 'kysely';
import type { ResponseConfig } from '../../config/schema.js';
import type { Database } from '../../store/schema.js';

export interface Offence {
  /** 1 for the first block within the repeat window, 2 for the second, … */
  offence: number;
  durationMs: number;
}

export async function nextOffence(db: Kysely<Database>, address: string, config: Pick<ResponseConfig, 'durations' | 'repeatWindow'>, now: number): Promise<Offence> {
  const row = await db
    .selectFrom('responses')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('address', '=', address)
    .where('blocked_at', 'is not', null)
    .where('blocked_at', '>', now - config.repeatWindow)
    .executeTakeFirstOrThrow();
  const offence = Number(row.n) + 1;
  return { offence, durationMs: config.durations[Math.min(offence, config.durations.length) - 1]! };
}
