// Escaping for chat markup. Attacker-controlled values are placed in plain-text objects where the format has
// them; where markup is unavoidable (Slack's fallback text, Teams' TextBlock markdown) these neutralise it.

/** Slack mrkdwn: &, < and > are the control characters (links, mentions like <!channel>). */
export function slackEscape(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Markdown as Teams renders it in a TextBlock: backslash-escape every character with a meaning. */
export function markdownEscape(text: unknown): string {
  return String(text ?? '').replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}

/** Cuts a string to a limit a remote enforces (Slack header 150, field 2000, …). */
export function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
