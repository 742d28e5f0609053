// Web server access logs and proxy logs as Wazuh decodes them.
// Access logs (NCSA common/combined, Apache, nginx): Wazuh's web-accesslog decoders write `data.srcip`,
// `data.protocol` (the request METHOD), `data.url` (path and query as requested) and `data.id` (the status code)
// (wazuh/wazuh ruleset/decoders/0375-web-accesslog_decoders.xml @v4.14.7); the combined format's referer and
// user agent stay in full_log, in the two quoted strings after the status and size, and are read from there.
// Proxy logs: Squid's native access.log (0305-squid_decoders.xml: `data.srcip`, `data.action` (TCP_MISS…),
// `data.id` (status), `data.url`); its method is the word before the URL in full_log. The native format has no
// user agent, cookie or destination address: rules on those are refused.
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

const isAccessLog = decodedBy(['web-accesslog']);
const webserver: Source = {
  name: 'Web server access log',
  gate: isAccessLog,
  key: 'decoder:web-accesslog',
  needle: '"web-accesslog"',
  field: fixedFields('webserver', ACCESS_FIELDS, ACCESS_WHY),
  keywords: keywordTexts,
};

const program = (name: string) => (d: Record<string, unknown>) => programName(d) === name || (typeof d.location === 'string' && d.location.includes(`/${name}/`));
const apacheDecoders = decodedBy(['apache-errorlog']);
const nginxDecoders = decodedBy(['nginx-errorlog']);
const apache: Source = { ...webserver, key: undefined, needle: undefined, name: 'Apache', gate: (d) => apacheDecoders(d) || (isAccessLog(d) && program('apache')(d)) || (isAccessLog(d) && program('httpd')(d)) };
const nginx: Source = { ...webserver, key: undefined, needle: undefined, name: 'nginx', gate: (d) => nginxDecoders(d) || (isAccessLog(d) && program('nginx')(d)) };

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
const PROXY_FIELDS: Record<string, Accessor> = {
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
const proxy: Source = {
  name: 'Proxy (Squid access log)',
  gate: decodedBy(['squid-accesslog']),
  key: 'decoder:squid-accesslog',
  needle: '"squid-accesslog"',
  field: fixedFields('proxy', PROXY_FIELDS, "Squid's native access.log, as Wazuh's squid decoder reads it, has the client address, method, URL, status and cache action, no user agent, cookie or destination address"),
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
