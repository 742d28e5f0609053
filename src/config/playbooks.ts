// The playbook schema: which actions run for which incidents. Part of vigil.yaml (`playbooks:`) or a file
// named by `actions.playbooksFile`; both are validated at start, with messages naming the playbook and key.
import { z } from 'zod';
import { CHANNEL_NAMES } from '../act/channels/index.js';

const LEVEL = z.enum(['informational', 'low', 'medium', 'high', 'critical']);
const CHANGE = z.enum(['opened', 'updated', 'escalated', 'resolved', 'reopened', 'summary', 'enriched']);
// The channel names come from the channel registry, so a new channel is a valid `notify:` target at once.
const CHANNEL = z.enum(CHANNEL_NAMES);
const DAY = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM, e.g. 08:30');

export const timeWindowSchema = z
  .object({
    /** Start and end of the window (end before start spans midnight). */
    from: clock.default('00:00'),
    to: clock.default('23:59'),
    days: z.array(DAY).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
    timezone: z.string().refine(validZone, 'an IANA time zone such as Europe/Berlin').default('UTC'),
  })
  .strict();

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const playbookMatchSchema = z
  .object({
    /** Rule ids or titles; `*` matches any run of characters. Any one matching is enough. */
    rules: z.array(z.string().min(1)).optional(),
    /** Rule tags (e.g. attack.t1110); any one present is enough. */
    tags: z.array(z.string().min(1)).optional(),
    /** Lowest incident severity that matches. */
    severity: LEVEL.optional(),
    /** Entity fields and the values they must have (`*` wildcards), e.g. { IpAddress: "203.0.113.*" }. */
    entity: z.record(z.string(), z.string()).optional(),
    /** Which incident changes trigger the playbook. */
    changes: z.array(CHANGE).min(1).default(['opened', 'escalated', 'resolved', 'reopened']),
    /** Only inside this time window (by the time of the change). */
    time: timeWindowSchema.optional(),
  })
  .strict();

export const blockActionSchema = z
  .object({
    /** off: nothing; dry-run: decide and audit, never call Wazuh; approval: a signed link decides; automatic: block. */
    mode: z.enum(['off', 'dry-run', 'approval', 'automatic']).default('approval'),
    /** affected: the agents that reported the incident's events; or a list of agent ids. */
    agents: z.union([z.literal('affected'), z.array(z.string().regex(/^\d{3,}$/, 'an agent id such as 001'))]).default('affected'),
  })
  .strict();

export const playbookActionSchema = z.union([
  z
    .object({
      notify: CHANNEL,
      /** The incident's comment thread goes with every message of this action (who, when, what; escaped). */
      comments: z.boolean().default(false),
    })
    .strict(),
  z.object({ block: blockActionSchema }).strict(),
]);

/**
 * Inhibition (Alertmanager style): while a stronger incident is open for the same entity, this playbook's
 * notifications of a weaker incident are held back. The stronger one is open (not resolved), at least `by`, has
 * a higher severity score, and shares an address, user or host (`on`) with the weaker one.
 */
export const inhibitSchema = z
  .object({
    /** off: notify as usual; silence: send nothing, say why on the incident; fold: the same, and link it into the stronger one. */
    mode: z.enum(['off', 'silence', 'fold']).default('off'),
    /** The lowest level of the open incident that inhibits. */
    by: LEVEL.default('critical'),
    /** Which shared entities count. */
    on: z.array(z.enum(['ip', 'user', 'host'])).min(1).default(['ip', 'user', 'host']),
  })
  .strict();

export const playbookSchema = z
  .object({
    name: z.string().min(1),
    enabled: z.boolean().default(true),
    match: playbookMatchSchema.default(playbookMatchSchema.parse({})),
    actions: z.array(playbookActionSchema).min(1),
    /** false: a matching playbook is the last one considered. */
    continue: z.boolean().default(true),
    /** Hold back this playbook's notifications while a stronger incident is open for the same entity. */
    inhibit: inhibitSchema.default(inhibitSchema.parse({})),
  })
  .strict();

export const playbooksSchema = z.array(playbookSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((p, i) => {
    if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `playbook name "${p.name}" is used twice` });
    seen.add(p.name);
  });
});

export type Playbook = z.infer<typeof playbookSchema>;
export type PlaybookAction = z.infer<typeof playbookActionSchema>;
export type BlockAction = z.infer<typeof blockActionSchema>;
export type InhibitConfig = z.infer<typeof inhibitSchema>;
export type NotifyAction = Extract<PlaybookAction, { notify: string }>;
export type PlaybookChannel = z.infer<typeof CHANNEL>;
