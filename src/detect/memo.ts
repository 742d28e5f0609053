// Rule loading builds the same things again and again (SigmaHQ's 2,400 Windows rules name about 150 logsources,
// a few hundred fields, modifier chains and conditions): a pure builder's results are kept by key and shared.
// Each memo is bounded (cleared when full); a refusal the builder throws is remembered and thrown again.

export class Memo<T> {
  private readonly known = new Map<string, { value: T } | { error: unknown }>();

  constructor(private readonly max: number) {}

  get(id: string, build: () => T): T {
    let known = this.known.get(id);
    if (known === undefined) {
      if (this.known.size >= this.max) this.known.clear();
      try {
        known = { value: build() };
      } catch (error) {
        known = { error };
      }
      this.known.set(id, known);
    }
    if ('error' in known) throw known.error;
    return known.value;
  }
}
