// Escaping for every place attacker-controlled text lands in a message.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export { oneLine } from '../../model/one-line.js';

/** A mail header value: no CR/LF (header injection), no other control characters, bounded length. */
export function headerSafe(text: unknown, max = 200): string {
  const clean = String(text ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean;
}

// Building an Intl.DateTimeFormat costs about a millisecond (its locale and zone data are resolved each time);
// formatting with a built one costs microseconds. A mail formats a dozen times, so one is kept per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // hourCycle, not hour12: false, which gives midnight's hour as 24 in this locale ("24:07:10")
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    // Zones come from configuration (validated): the map stays as small as the set of zones configured.
    formatters.set(timeZone, f);
  }
  return f;
}

/** A time for people: in the given IANA zone, with its UTC offset, e.g. `2026-11-21 20:55:13 GMT+01:00`. */
export function formatTime(ms: number, timeZone = 'UTC'): string {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const zone = get('timeZoneName') === 'GMT' ? 'GMT+00:00' : get('timeZoneName');
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${zone}`;
}
