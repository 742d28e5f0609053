// Reverse DNS (PTR) through the configured or system resolvers, with a timeout. It asks the organisation's
// own resolvers, so internal addresses are looked up too.
import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import { duration, HOUR } from '../../config/fragments.js';
import type { Indicator } from '../../model/index.js';
import { ProviderError, type LookupResult, type Provider } from '../provider.js';
import { isAddress } from '../ranges.js';

export const reverseDnsSchema = componentSchema({
  timeout: duration.default(2000),
  /** Resolvers (`IP` or `IP:PORT`); empty: the system's. */
  servers: z.array(z.string()).default([]),
  ttl: duration.default(HOUR),
});

export type ReverseDnsConfig = z.infer<typeof reverseDnsSchema>;

const NO_NAME = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export class ReverseDnsProvider implements Provider {
  readonly name = 'reverse-dns';
  readonly external = false;
  readonly keyFingerprint = '';

  constructor(private readonly config: ReverseDnsConfig) {}

  supports(i: Indicator): boolean {
    return i.kind === 'ip' && isAddress(i.value);
  }

  ttl(): number {
    return this.config.ttl;
  }

  async lookup(i: Indicator, signal: AbortSignal): Promise<LookupResult> {
    // The resolver's own timeout ends in ENOTFOUND, indistinguishable from "no name": our timer ends it first.
    const resolver = new Resolver({ timeout: this.config.timeout + 1000, tries: 1 });
    if (this.config.servers.length > 0) resolver.setServers(this.config.servers);
    let timedOut = false;
    const abort = () => {
      timedOut = true;
      resolver.cancel();
    };
    const timer = setTimeout(abort, this.config.timeout);
    signal.addEventListener('abort', abort, { once: true });
    try {
      const names = await resolver.reverse(i.value);
      return { found: names.length > 0, verdict: 'unknown', summary: names.join(', ') || 'no PTR record', data: { names } };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NO_NAME.has(code) && !timedOut) return { found: false, verdict: 'unknown', summary: 'no PTR record', data: { names: [] } };
      const late = timedOut || code === 'ETIMEOUT';
      throw new ProviderError(`reverse DNS: ${late ? 'no answer in time' : code || (err as Error).message}`, late ? 'timeout' : 'failed');
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
  }
}

export const reverseDnsProvider = defineComponent({
  name: 'reverseDns',
  configSchema: reverseDnsSchema,
  create: (config: ReverseDnsConfig, _deps: unknown) => new ReverseDnsProvider(config),
});
