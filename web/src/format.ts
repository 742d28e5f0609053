// Times and durations as an analyst reads them: UTC with its offset, and short ages.
export function utc(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${m % 60}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

export const age = (ms: number, now = Date.now()) => duration(now - ms);

export function entityText(entity: Record<string, string>): string {
  return Object.entries(entity)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** A pivot link: everything that holds this indicator, incidents and stored events. */
export function pivotHref(value: string, kind?: string): string {
  const p = new URLSearchParams({ value });
  if (kind) p.set('kind', kind);
  return `#/pivot?${p}`;
}
