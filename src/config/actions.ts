// Config sections of the act stage besides the channels: the outbox, active-response guard rails, approvals.
import { z } from 'zod';
import { duration, addressOrCidr, names, connectionShape } from './fragments.js';

export const outboxSchema = z
  .object({
    /** Attempts before an action is dead-lettered (kept, visible, retried by hand). */
    maxAttempts: z.number().int().min(1).default(12),
    /** First retry delay; doubled each attempt (with jitter) up to maxDelay. */
    baseDelay: duration.default(2_000),
    maxDelay: duration.default(15 * 60_000),
    /** How often the worker looks for due actions when not woken. */
    poll: duration.default(1_000),
    /** Consecutive failures that open a channel's circuit breaker: its actions wait instead of burning attempts. */
    breakerFailures: z.number().int().min(1).default(5),
    /** How long an open breaker waits before letting one action through to probe the channel. */
    breakerCooldown: duration.default(30_000),
    /**
     * How long a claimed (running) action stays with the node that claimed it. Several nodes on one store: a node
     * that dies mid-send leaves its actions to the others after this long. Longer than any channel's send.
     */
    claimTimeout: duration.default(5 * 60_000),
  })
  .strict();

/** Active response on Wazuh 5.x, where PUT /active-response is gone: Vigil indexes the request document. */
export const wazuh5ResponseSchema = z
  .object({
    /** Write blocks to the indexer's wazuh-active-responses instead of calling the Wazuh 4.x server API. */
    enabled: z.boolean().default(false),
    /** The Wazuh indexer, e.g. https://wazuh-indexer:9200, and a user allowed to write wazuh-active-responses. */
    ...connectionShape({ url: 'https://127.0.0.1:9200', user: 'admin', timeout: 10_000 }),
    /** The block: the active-response name and executable (Wazuh 5 folds the firewall scripts into block-ip). */
    block: z
      .object({ name: z.string().min(1).default('vigil-block-ip'), executable: z.string().min(1).default('block-ip'), extraArguments: z.string().nullable().default(null) })
      .strict()
      .default({ name: 'vigil-block-ip', executable: 'block-ip', extraArguments: null }),
    /** The unblock Vigil writes at expiry (or when an analyst lifts a block): a stateless run of this executable. */
    unblock: z
      .object({ name: z.string().min(1).default('vigil-unblock'), executable: z.string().min(1).default('vigil-unblock') })
      .strict()
      .default({ name: 'vigil-unblock', executable: 'vigil-unblock' }),
  })
  .strict();

export const responseSchema = z
  .object({
    /** Addresses and networks never blocked. */
    allowlist: z.array(addressOrCidr).default([]),
    /** Agent names or ids whose addresses (from the inventory) are never blocked. */
    allowAssets: z.array(z.string()).default([]),
    /** Allow blocking private, loopback, link-local and CGNAT addresses (off: they are refused). */
    allowPrivate: z.boolean().default(false),
    /** The Wazuh manager's addresses: never blocked. */
    managers: z.array(addressOrCidr).default([]),
    /** Gateways and other infrastructure: never blocked. */
    gateways: z.array(addressOrCidr).default([]),
    /** Blast-radius cap: most blocks started in any hour; beyond it blocks are refused and audited. */
    maxBlocksPerHour: z.number().int().min(0).default(10),
    /** Block durations by offence: the first block lasts durations[0], a repeat offender's the next one. */
    durations: z.array(duration).min(1).default([3_600_000, 6 * 3_600_000, 24 * 3_600_000, 7 * 86_400_000]),
    /** How long an earlier block still counts towards a repeat offence. */
    repeatWindow: duration.default(30 * 86_400_000),
    /** Active-response commands for Linux/Unix agents (block, and unblock at expiry). */
    linux: z
      .object({ block: z.string().min(1).default('!firewall-drop'), unblock: z.string().min(1).default('!vigil-unblock.sh') })
      .strict()
      .default({ block: '!firewall-drop', unblock: '!vigil-unblock.sh' }),
    /** Active-response commands for Windows agents. */
    windows: z
      .object({ block: z.string().min(1).default('!netsh.exe'), unblock: z.string().min(1).default('!vigil-unblock.cmd') })
      .strict()
      .default({ block: '!netsh.exe', unblock: '!vigil-unblock.cmd' }),
    /** Wazuh 5.x: blocks as `wazuh-active-responses` documents written to the indexer (README "Wazuh 5.x"). */
    wazuh5: wazuh5ResponseSchema.default(wazuh5ResponseSchema.parse({})),
  })
  .strict();

export const approvalsSchema = z
  .object({
    /** The URL people reach Vigil at, for approval links in messages, e.g. https://vigil.example.org. */
    publicUrl: z.string().default(''),
    /** HMAC key for approval links. Empty: one is generated once and kept in the data directory. */
    secret: z.string().default(''),
    /** How long an approval link is valid. */
    ttl: duration.default(3_600_000),
  })
  .strict();

export const actionsSchema = z
  .object({
    outbox: outboxSchema.default(outboxSchema.parse({})),
    response: responseSchema.default(responseSchema.parse({})),
    approvals: approvalsSchema.default(approvalsSchema.parse({})),
    /** A YAML file holding a list of playbooks, used with (after) the `playbooks:` list. */
    playbooksFile: z.string().default(''),
  })
  .strict();

export type OutboxConfig = z.infer<typeof outboxSchema>;
export type ResponseConfig = z.infer<typeof responseSchema>;
export type Wazuh5ResponseConfig = z.infer<typeof wazuh5ResponseSchema>;
export type ApprovalsConfig = z.infer<typeof approvalsSchema>;
export type ActionsConfig = z.infer<typeof actionsSchema>;
