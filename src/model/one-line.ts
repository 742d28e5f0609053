// How an attacker-controlled value is shown in any text Vigil writes: one line, nothing hidden.

// Characters that break a line, hide text or reorder it on screen: C0 and C1 controls, DEL, the Unicode line and
// paragraph separators, zero-width and bidirectional formatting characters, the BOM, and lone surrogates.
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * An attacker-controlled value as it appears in any text rendering (mail text part, chat, tickets, the LLM
 * evidence pack): always one line, with every control or invisible character shown as an escape (`\n`,
 * `\r`, `\t`, `\u001b`, `\u202e`), so a value can never start a line of its own ("Bcc: …", "Status:
 * resolved") or hide what it says. Backslashes stay as they are (Windows paths read as written).
 */
export function oneLine(value: unknown, max = Infinity): string {
  const text = String(value ?? '').replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > max ? text.slice(0, Math.max(0, max - 1)) + '…' : text;
}
