// Web server access logs and proxy logs as Wazuh decodes them.
// Access logs (NCSA common/combined, Apache, nginx; IIS's W3C default format below): Wazuh's web-accesslog decoders write `data.srcip`,
// `data.protocol` (the request METHOD), `data.url` (path and query as requested) and `data.id` (the status code)
// (wazuh/wazuh ruleset/decoders/0375-web-accesslog_decoders.xml @v4.14.7); the combined format's referer and
// user agent stay in full_log, in the two quoted strings after the status and size, and are read from there.
// Proxy logs, two Wazuh sources:
// - Squid's native access.log (0305-squid_decoders.xml: `data.srcip`, `data.action` (TCP_MISS…), `data.id`
//   (status), `data.url`); its method is the word before the URL in full_log. The native format has no user
//   agent, referer, cookie or destination address: on Squid alerts those fields are absent.
// - Suricata EVE JSON `event_type: http`, one record per HTTP transaction the sensor saw (Wazuh's JSON decoder,
//   0006-json_decoders.xml, keeps the record under `data`: `data.src_ip`, `data.dest_ip`, `data.http.hostname`,
//   `.url` (path and query), `.http_user_agent`, `.http_method`, `.http_refer`, `.protocol`, `.status`,
//   `.length`; real record: ruleset/testing/tests/malicious-ioc.ini "Suricata: Alert from malicious domain
//   (http.hostname)"; with `dump-all-headers` Suricata adds `.request_headers` [{name, value}], where the
//   Cookie header is). Wazuh's rule for these records, 86602 "Suricata: HTTP." (0475-suricata_rules.xml), has
//   level 0, so Wazuh alerts on them only through a local rule (README "Logsources").
// A field neither source writes is refused.
import { accessor, type Accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';
import { decodedBy, fixedFields, keywordTexts, programName, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const url = accessor(['data', 'url']);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const stem = (u: string) => u.split('?', 1)[0]!;
const query = (u: string) => (u.includes('?') ? u.slice(u.indexOf('?') + 1) : undefined);
const lift = (f: (u: string) => string | undefined): Accessor => (d) => {
  const u = text(url(d));
  return u === undefined ? undefined : f(u);
};

/** `"GET /x HTTP/1.1" 200 1732 "referer" "agent"`: the combined format's two trailing quoted fields. */
const COMBINED = /"\w+ \S+ [^"]*" \d{3} \S+ "((?:[^"\\]|\\.)*)" +"((?:[^"\\]|\\.)*)"/;
const combined = (i: 1 | 2): Accessor => (d) => {
  const line = text(d.full_log);
  const m = line ? COMBINED.exec(line) : null;
  return m ? m[i] : undefined;
};

const ACCESS_FIELDS: Record<string, Accessor> = {
  'c-ip': accessor(['data', 'srcip']),
  'cs-method': accessor(['data', 'protocol']),
  'cs-uri': url,
  'cs-uri-stem': lift(stem),
  'cs-uri-query': lift(query),
  'sc-status': accessor(['data', 'id']),
  'cs-referer': combined(1),
  'cs-user-agent': combined(2),
};
const ACCESS_WHY = "Wazuh's web-accesslog decoder writes the client address, method, URL and status; the combined format adds referer and user agent";

/**
 * IIS's default W3C format, Wazuh's web-accesslog-iis-default decoder (0380-windows_decoders.xml): `data.action`
 * (the method), `data.url` ("stem query", the query `-` when there is none), `data.srcport`, `data.srcip`,
 * `data.user_agent` (as IIS writes it, `+` for spaces) and `data.id` (the status). No referer.
 */
const isIis = decodedBy(['web-accesslog-iis-default']);
const iisStem: Accessor = (d) => text(url(d))?.split(' ', 1)[0];
const iisQuery: Accessor = (d) => {
  const u = text(url(d));
  const i = u === undefined ? -1 : u.indexOf(' ');
  const q = i < 0 ? undefined : u!.slice(i + 1);
  return q === '-' || q === '' ? undefined : q;
};
const IIS_FIELDS: Record<string, Accessor> = {
  'c-ip': accessor(['data', 'srcip']),
  'cs-method': accessor(['data', 'action']),
  'cs-uri-stem': iisStem,
  'cs-uri-query': iisQuery,
  'cs-uri': (d) => {
    const stemOf = iisStem(d) as string | undefined;
    const q = iisQuery(d);
    return stemOf === undefined ? undefined : q === undefined ? stemOf : `${stemOf}?${q}`;
  },
  'sc-status': accessor(['data', 'id']),
  'cs-user-agent': accessor(['data', 'user_agent']),
};

const accessField = fixedFields('webserver', ACCESS_FIELDS, ACCESS_WHY);
/** A webserver field: where the alert's decoder (NCSA/combined or IIS) writes it; absent where it writes none. */
function webField(name: string): Accessor {
  const access = accessField(name);
  const iis = IIS_FIELDS[name];
  if (!iis) return name in ACCESS_FIELDS ? (d) => (isIis(d) ? undefined : access(d)) : access;
  return (d) => (isIis(d) ? iis(d) : access(d));
}

const isAccessLog = decodedBy(['web-accesslog']);
const webserver: Source = {
  name: 'Web server access log',
  gate: (d) => isAccessLog(d) || isIis(d),
  key: ['decoder:web-accesslog', 'decoder:web-accesslog-iis-default'],
  needle: '"web-accesslog(?:-iis-default)?"',
  field: webField,
  keywords: keywordTexts,
};

const program = (name: string) => (d: Record<string, unknown>) => programName(d) === name || (typeof d.location === 'string' && d.location.includes(`/${name}/`));
const apacheDecoders = decodedBy(['apache-errorlog']);
const nginxDecoders = decodedBy(['nginx-errorlog']);
const apache: Source = { ...webserver, field: accessField, key: undefined, needle: undefined, name: 'Apache', gate: (d) => apacheDecoders(d) || (isAccessLog(d) && program('apache')(d)) || (isAccessLog(d) && program('httpd')(d)) };
const nginx: Source = { ...webserver, field: accessField, key: undefined, needle: undefined, name: 'nginx', gate: (d) => nginxDecoders(d) || (isAccessLog(d) && program('nginx')(d)) };

/** `1286536318.542 755 192.168.0.68 TCP_MISS/200 507 POST http://…`: the method before the URL. */
const SQUID = /^\S+\s+\d+\s+\S+\s+\S+\/\d+\s+\d+\s+(\S+)\s+\S+/;
const squidMethod: Accessor = (d) => {
  const line = text(d.full_log);
  const m = line ? SQUID.exec(line) : null;
  return m ? m[1] : undefined;
};
const host = (u: string) => {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(u) ?? /^([^/:?#]+):\d+$/.exec(u);
  return m ? m[1] : undefined;
};
const extension = (u: string) => {
  const path = stem(u).replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const m = /\.([^./]+)$/.exec(path);
  return m ? m[1] : undefined;
};
const SQUID_FIELDS: Record<string, Accessor> = {
  'c-ip': accessor(['data', 'srcip']),
  'c-uri': url,
  'cs-uri': url,
  'c-uri-query': lift(query),
  'c-uri-stem': lift(stem),
  'c-uri-extension': lift(extension),
  'cs-host': lift(host),
  'cs-method': squidMethod,
  'sc-status': accessor(['data', 'id']),
};

const eveUrl = accessor(['data', 'http', 'url']);
const eveLift = (f: (u: string) => string | undefined): Accessor => (d) => {
  const u = text(eveUrl(d));
  return u === undefined ? undefined : f(u);
};
/** A request header from Suricata's `dump-all-headers` list, by name (case-insensitive, as HTTP says). */
const requestHeader = (name: string): Accessor => {
  const lc = name.toLowerCase();
  return (d) => {
    const headers = (d.data as any)?.http?.request_headers;
    if (!Array.isArray(headers)) return undefined;
    for (const h of headers) if (h && typeof h.name === 'string' && h.name.toLowerCase() === lc) return h.value;
    return undefined;
  };
};
const EVE_HTTP_FIELDS: Record<string, Accessor> = {
  'c-ip': accessor(['data', 'src_ip']),
  src_ip: accessor(['data', 'src_ip']),
  dst_ip: accessor(['data', 'dest_ip']),
  'c-uri': eveUrl,
  'cs-uri': eveUrl,
  'c-uri-query': eveLift(query),
  'c-uri-stem': eveLift(stem),
  'c-uri-extension': eveLift(extension),
  'cs-host': accessor(['data', 'http', 'hostname']),
  'cs-method': accessor(['data', 'http', 'http_method']),
  'sc-status': accessor(['data', 'http', 'status']),
  'c-useragent': accessor(['data', 'http', 'http_user_agent']),
  'cs-referrer': accessor(['data', 'http', 'http_refer']),
  'cs-version': accessor(['data', 'http', 'protocol']),
  'sc-bytes': accessor(['data', 'http', 'length']),
  'cs-cookie': requestHeader('Cookie'),
};

const isSquid = decodedBy(['squid-accesslog']);
/** A Suricata EVE HTTP transaction record, as Wazuh's JSON decoder writes it. */
export const isEveHttp = (d: Record<string, unknown>): boolean => {
  const x = d.data as any;
  return x?.event_type === 'http' && x.http !== null && typeof x.http === 'object';
};
const PROXY_WHY = "neither Squid's native access.log (client address, method, URL, status, cache action) nor Suricata's EVE http record (addresses, host, URL, method, status, user agent, referer, version, length, request headers) has it";

/** A proxy field: read from whichever of the two sources the alert is; absent on the one that lacks it. */
function proxyField(name: string): Accessor {
  const squid = SQUID_FIELDS[name];
  const eve = EVE_HTTP_FIELDS[name];
  if (!squid && !eve) return fixedFields('proxy', {}, PROXY_WHY)(name);
  return (d) => (isEveHttp(d) ? eve?.(d) : isSquid(d) ? squid?.(d) : undefined);
}

const proxy: Source = {
  name: 'Proxy (Squid access log, Suricata EVE http)',
  gate: (d) => isSquid(d) || isEveHttp(d),
  key: ['decoder:squid-accesslog', 'decoder:json'],
  needle: '"squid-accesslog"|"event_type"\\s*:\\s*"http"',
  field: proxyField,
  keywords: keywordTexts,
};

export const web: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.category === 'webserver' && !ls.service && (!ls.product || ls.product === 'linux' || ls.product === 'windows')) return webserver;
    if (ls.category === 'proxy' && !ls.service && !ls.product) return proxy;
    if (!ls.category && ls.service === 'apache' && (!ls.product || ls.product === 'linux')) return apache;
    if (!ls.category && ls.service === 'nginx' && (!ls.product || ls.product === 'linux')) return nginx;
    if (ls.category === 'webserver' || ls.category === 'proxy')
      throw new UnsupportedError(`logsource ${JSON.stringify(ls)}: only Wazuh's access-log and Squid decoders are mapped`);
    return undefined;
  },
};
