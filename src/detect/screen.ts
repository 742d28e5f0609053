// The per-rule literal screen: the rules indexed under one Windows EventID can number a thousand (SigmaHQ has that
// many for process creation), and most of them cannot match a given event because it lacks the literal text their
// condition requires (prefilter.ts ruleLiterals: an image name, a command-line fragment, a channel). One pass of
// an Aho–Corasick automaton over the event's raw line, lower-cased, finds every such literal it holds; only the
// rules with a literal found (and those that require none) are evaluated. As conservative as the raw-line
// prefilter, whose analysis it reuses: a line that may hide a literal behind a JSON escape is not screened.
import type { DetectionRule } from './rules.js';
import { hidesLiterals, ruleLiterals } from './prefilter.js';

/** Lists shorter than this are evaluated whole: the scan would cost more than it saves. */
export const SCREEN_MIN_RULES = 24;

export class LiteralScreen {
  /** Rules evaluated whatever the line holds (they require no literal). */
  private readonly free: Uint8Array;
  /** UTF-16 code unit → input class; 0 for characters no literal contains (literals are ASCII). */
  private readonly classOf = new Uint8Array(65_536);
  private readonly classes: number;
  /**
   * The automaton with its failure links resolved: delta[state * classes + class] → next state * classes, stored
   * bitwise-negated (~) when a literal ends at the next state, so the scan finds both in one read.
   */
  private readonly delta: Int32Array;
  /** The literal that ends at a state, or −1. */
  private readonly term: Int32Array;
  /** The nearest state along the failure links where a literal ends, or −1. */
  private readonly dict: Int32Array;
  /** Literal → the rules (positions in `rules`) that it admits. */
  private readonly admits: number[][];
  private readonly marks: Uint32Array;
  private readonly seenLiteral: Uint32Array;
  private epoch = 0;

  constructor(readonly rules: readonly DetectionRule[]) {
    this.free = new Uint8Array(rules.length);
    const ids = new Map<string, number>();
    const admits: number[][] = [];
    rules.forEach((r, i) => {
      const lits = ruleLiterals(r);
      if (lits === null) {
        this.free[i] = 1;
        return;
      }
      for (const l of lits) {
        let id = ids.get(l);
        if (id === undefined) {
          id = admits.length;
          ids.set(l, id);
          admits.push([]);
        }
        admits[id]!.push(i);
      }
    });
    this.admits = admits;
    const literals = [...ids.keys()];
    // Input classes: the (ASCII) characters literals use.
    let k = 1;
    for (const l of literals) for (let i = 0; i < l.length; i++) {
      const c = l.charCodeAt(i);
      if (c < 128 && this.classOf[c] === 0) this.classOf[c] = k++;
    }
    this.classes = k;
    // The trie.
    const next: Map<number, number>[] = [new Map()];
    const termOf: number[] = [-1];
    literals.forEach((l, id) => {
      let s = 0;
      for (let i = 0; i < l.length; i++) {
        const c = this.classOf[l.charCodeAt(i)]!;
        let t = next[s]!.get(c);
        if (t === undefined) {
          t = next.length;
          next.push(new Map());
          termOf.push(-1);
          next[s]!.set(c, t);
        }
        s = t;
      }
      termOf[s] = id;
    });
    const n = next.length;
    this.delta = new Int32Array(n * k);
    this.term = Int32Array.from(termOf);
    this.dict = new Int32Array(n).fill(-1);
    const fail = new Int32Array(n);
    // Breadth first: each state's transitions are its trie edges, or its failure state's transitions.
    const queue: number[] = [];
    for (let c = 1; c < k; c++) {
      const t = next[0]!.get(c);
      if (t !== undefined) {
        this.delta[c] = t;
        queue.push(t);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      const f = fail[s]!;
      this.dict[s] = this.term[f]! !== -1 ? f : this.dict[f]!;
      for (let c = 1; c < k; c++) {
        const t = next[s]!.get(c);
        if (t === undefined) this.delta[s * k + c] = this.delta[f * k + c]!;
        else {
          fail[t] = this.delta[f * k + c]!;
          this.delta[s * k + c] = t;
          queue.push(t);
        }
      }
    }
    for (let i = 0; i < this.delta.length; i++) {
      const t = this.delta[i]!;
      this.delta[i] = this.term[t] !== -1 || this.dict[t] !== -1 ? ~(t * k) : t * k;
    }
    this.marks = new Uint32Array(rules.length);
    this.seenLiteral = new Uint32Array(admits.length);
  }

  /**
   * The rules that may match an event whose raw JSON line is `text`, in their order, into `out` (emptied first);
   * `lower` is the line in lower case. A line that may hide a literal (a JSON escape) gets every rule.
   */
  pick(text: string, lower: string, out: DetectionRule[]): DetectionRule[] {
    out.length = 0;
    if (hidesLiterals(text)) {
      for (const r of this.rules) out.push(r);
      return out;
    }
    const epoch = ++this.epoch;
    if (epoch === 0xffffffff) {
      this.epoch = 0;
      this.marks.fill(0);
      this.seenLiteral.fill(0);
    }
    const { delta, classOf, term, dict, classes, marks, seenLiteral, admits } = this;
    let s = 0;
    for (let i = 0; i < lower.length; i++) {
      s = delta[s + classOf[lower.charCodeAt(i)]!]!;
      if (s >= 0) continue;
      s = ~s;
      // The literals that end here: this state's own and those along its dictionary links.
      const state = s / classes;
      for (let t = term[state]! !== -1 ? state : dict[state]!; t !== -1; t = dict[t]!) {
        const id = term[t]!;
        if (seenLiteral[id] === epoch) continue;
        seenLiteral[id] = epoch;
        for (const r of admits[id]!) marks[r] = epoch;
      }
    }
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) if (this.free[i] === 1 || marks[i] === epoch) out.push(rules[i]!);
    return out;
  }
}
