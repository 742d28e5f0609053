// Shared pieces of value matching: the two kinds of load error, and how field values are read as text.

import { VigilError, type ErrorLocation } from '../../errors.js';

export type ValuePredicate = (value: unknown) => boolean;

/** Valid Sigma that Vigil does not evaluate: the rule is reported "unsupported", never run half-understood. */
export class UnsupportedError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('unsupported', message, location);
  }
}

/** Invalid Sigma (a wrong modifier chain, a bad value type, an invalid CIDR…): the rule is "rejected". */
export class SigmaError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('sigma', message, location);
  }
}

/** Field values as text: numbers and booleans are compared by their text, as Wazuh stores them. */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Applies a text predicate to a field value; a list matches when any element does. */
export function anyElement(pred: (text: string) => boolean): ValuePredicate {
  return (v) => {
    if (Array.isArray(v)) {
      for (const e of v) {
        const t = asText(e);
        if (t !== undefined && pred(t)) return true;
      }
      return false;
    }
    const t = asText(v);
    return t !== undefined && pred(t);
  };
}

const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A field value as a number: numbers as they are, decimal strings parsed ("4625" from Wazuh); else NaN. */
export function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  if (typeof v === 'bigint') return Number(v);
  return NaN;
}
