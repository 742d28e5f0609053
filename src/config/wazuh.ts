// Config section of the Wazuh server API client (agent inventory, active response).
import { z } from 'zod';
import { connectionShape } from './fragments.js';

export const wazuhApiSchema = z
  .object({
    /** url: the Wazuh server API, e.g. https://wazuh-manager:55000 (empty: no API client); password: ${WAZUH_API_PASSWORD}. */
    ...connectionShape({ url: '', user: 'wazuh-wui', timeout: 10_000 }),
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
