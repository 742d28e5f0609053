// Config section of the Wazuh server API client (agent inventory, active response).
import { z } from 'zod';
import { duration } from './fragments.js';

export const wazuhApiSchema = z
  .object({
    /** Base URL of the Wazuh server API, e.g. https://wazuh-manager:55000. Empty: no API client. */
    url: z.string().default(''),
    user: z.string().default('wazuh-wui'),
    /** Write ${WAZUH_API_PASSWORD}; never the password itself. */
    password: z.string().default(''),
    /** PEM file of the CA that signed the API's certificate (Wazuh generates its own). */
    caFile: z.string().default(''),
    /** Check the API's TLS certificate. Turn off only in a lab. */
    verifyTls: z.boolean().default(true),
    /** Per-request timeout. */
    timeout: duration.default(10_000),
    /** How many times a 429 (rate limit) answer is retried, with backoff, before giving up. */
    rateLimitRetries: z.number().int().nonnegative().default(5),
  })
  .strict();

export const wazuhSchema = z
  .object({
    api: wazuhApiSchema.default(wazuhApiSchema.parse({})),
  })
  .strict();

export type WazuhApiConfig = z.infer<typeof wazuhApiSchema>;
