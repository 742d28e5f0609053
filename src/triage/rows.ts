// Multi-row inserts through the store's compiled-once templates (src/store/templated.ts): a triage batch writes
// its detections and indicators a hundred rows a statement, in a few shapes only.

/** `count` rows of marker values, marker i at row r and column k where i = r × columns + k: what a template is built of. */
export function markedRows(count: number, columns: readonly string[], marker: (i: number) => string): Record<string, string>[] {
  return Array.from({ length: count }, (_, r) => Object.fromEntries(columns.map((c, k) => [c, marker(r * columns.length + k)])));
}

/** Value i of those rows: row after row, in column order. */
export function rowValues<R>(rows: readonly R[], columns: readonly (keyof R)[]): (i: number) => unknown {
  return (i) => rows[Math.floor(i / columns.length)]![columns[i % columns.length]!];
}
