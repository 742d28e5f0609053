// Config sections of triage: incident lifetimes, critical assets, the LLM that writes summaries.
import { z } from 'zod';
import { duration, names } from './fragments.js';

export const assetsSchema = z
  .object({
    /** Host names (Wazuh agent names, Windows computer names) whose incidents score higher. */
    criticalHosts: names,
    /** User names whose incidents score higher. */
    criticalUsers: names,
    /** Named groups of hosts and users, e.g. `domain-controllers: { hosts: [DC01, DC02] }`. */
    groups: z.record(z.string(), z.object({ hosts: names, users: names }).strict()).default({}),
    /** Groups (from `groups`) whose members are critical. */
    criticalGroups: names,
  })
  .strict();

export const triageSchema = z
  .object({
    /** Same fingerprint within this long of the incident's last event: the incident is updated. Also the auto-resolve delay. */
    quietPeriod: duration.default(3_600_000),
    /** A detection within this long of a resolved incident's last event reopens it. */
    reopenWindow: duration.default(86_400_000),
    /** How often serve mode looks for incidents to auto-resolve. */
    sweepInterval: duration.default(60_000),
    assets: assetsSchema.default(assetsSchema.parse({})),
  })
  .strict();

export const llmSchema = z
  .object({
    /** Let an LLM write incident summaries (the template summary goes first; the LLM's follows as an update). */
    enabled: z.boolean().default(false),
    /** An OpenAI-compatible API root: https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), a vLLM or llama.cpp server. */
    baseUrl: z.string().url().default('http://127.0.0.1:11434/v1'),
    /** Bearer key (empty: none is sent). */
    apiKey: z.string().default(''),
    model: z.string().default(''),
    /** Whole-request timeout. */
    timeout: duration.default(30_000),
    /** Most tokens one answer may use (max_tokens). */
    maxTokens: z.number().int().positive().default(700),
    /** Most tokens (prompt + answer, as the server reports) per UTC day; 0: no limit. Past it the template stands. */
    tokenBudget: z.number().int().nonnegative().default(200_000),
    /** Evidence fields (by name, case-insensitive) replaced by "[redacted]" before anything is sent. */
    redact: z.array(z.string()).default([]),
    /** `json_schema` (OpenAI, vLLM, llama.cpp, Ollama ≥ 0.5) or `json_object` for servers without structured outputs. */
    responseFormat: z.enum(['json_schema', 'json_object']).default('json_schema'),
    /** Answers kept per incident fingerprint and evidence, so the same facts are not asked twice. */
    cacheSize: z.number().int().nonnegative().default(500),
  })
  .strict()
  .refine((l) => !l.enabled || l.model !== '', { message: 'llm.model is required when llm.enabled is true', path: ['model'] });

export type TriageConfig = z.infer<typeof triageSchema>;
export type LlmConfig = z.infer<typeof llmSchema>;
