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

/** A time for people: in the given IANA zone, with its UTC offset, e.g. `2026-11-21 20:55:13 GMT+01:00`. */
export function formatTime(ms: number, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const zone = get('timeZoneName') === 'GMT' ? 'GMT+00:00' : get('timeZoneName');
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${zone}`;
}
