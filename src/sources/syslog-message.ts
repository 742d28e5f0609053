// Reading one syslog message down to its payload: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) or
// RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG: MSG`, what Wazuh's csyslogd sends: `<PRI>Nov 21 10:00:00 manager
// ossec: {alert JSON}`). Works on bytes, so the payload reaches the UTF-8 check untouched.

export interface SyslogMessage {
  pri?: number;
  /** The MSG part: for Wazuh's `json` format, one alert as JSON. */
  payload: Buffer;
}

const LT = 0x3c;
const GT = 0x3e;
const SP = 0x20;
const BRACE = 0x7b;

export function parseSyslog(frame: Buffer): SyslogMessage {
  let i = 0;
  let pri: number | undefined;
  if (frame[0] === LT) {
    const close = frame.indexOf(GT, 1);
    if (close > 1 && close <= 4) {
      pri = Number(frame.subarray(1, close).toString('latin1'));
      i = close + 1;
    }
  }
  // RFC 5424: a version digit and a space right after the PRI.
  if (pri !== undefined && frame[i] === 0x31 && frame[i + 1] === SP) {
    i += 2;
    for (let field = 0; field < 5 && i < frame.length; field++) {
      const sp = frame.indexOf(SP, i);
      i = sp < 0 ? frame.length : sp + 1;
    }
    i = skipStructuredData(frame, i);
    if (frame[i] === SP) i++;
    // A UTF-8 BOM may open MSG.
    if (frame[i] === 0xef && frame[i + 1] === 0xbb && frame[i + 2] === 0xbf) i += 3;
    return { pri, payload: frame.subarray(i) };
  }
  // RFC 3164: the header carries no brace, so a JSON payload starts at the first one.
  const brace = frame.indexOf(BRACE, i);
  if (brace >= 0) return { pri, payload: frame.subarray(brace) };
  const tag = frame.indexOf(': ', i);
  return { pri, payload: frame.subarray(tag >= 0 ? tag + 2 : i) };
}

/** STRUCTURED-DATA is `-` or one or more `[id param="value"…]`, where `\]` and `\"` are escaped. */
function skipStructuredData(frame: Buffer, i: number): number {
  if (frame[i] === 0x2d) return i + 1;
  while (frame[i] === 0x5b) {
    let inQuote = false;
    for (i++; i < frame.length; i++) {
      const c = frame[i];
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuote = !inQuote;
      else if (c === 0x5d && !inQuote) {
        i++;
        break;
      }
    }
  }
  return i;
}

/**
 * Splits a TCP stream into frames: octet-counted (`LEN SP MSG`, RFC 6587 3.4.1) when a frame starts with a digit,
 * newline-terminated otherwise. Frames longer than `max` are reported as too large and skipped, never buffered.
 */
export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes still to discard from an over-long frame. Infinity: up to the next newline. */
  private discard = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer, onFrame: (frame: Buffer) => void, onTooLarge: (size: number, head: Buffer) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.discard > 0) {
        if (this.discard === Infinity) {
          const nl = this.buf.indexOf(10);
          if (nl < 0) {
            this.buf = Buffer.alloc(0);
            return;
          }
          this.buf = this.buf.subarray(nl + 1);
          this.discard = 0;
        } else {
          const n = Math.min(this.discard, this.buf.length);
          this.buf = this.buf.subarray(n);
          this.discard -= n;
          if (this.discard > 0) return;
        }
      }
      if (this.buf.length === 0) return;
      const first = this.buf[0]!;
      if (first >= 0x30 && first <= 0x39) {
        const sp = this.buf.indexOf(SP);
        if (sp < 0 && this.buf.length <= 10) return; // the length may still be arriving
        const len = sp > 0 && sp <= 10 && /^\d+$/.test(this.buf.subarray(0, sp).toString('latin1')) ? Number(this.buf.subarray(0, sp).toString('latin1')) : -1;
        if (len > this.max) {
          onTooLarge(len, this.buf.subarray(sp + 1, sp + 1 + 4096));
          this.buf = this.buf.subarray(sp + 1);
          this.discard = len;
          continue;
        }
        if (len >= 0) {
          if (this.buf.length < sp + 1 + len) return;
          onFrame(this.buf.subarray(sp + 1, sp + 1 + len));
          this.buf = this.buf.subarray(sp + 1 + len);
          continue;
        }
        // Not a length: read it as a newline-terminated frame (it will be quarantined if it is not an alert).
      }
      const nl = this.buf.indexOf(10);
      if (nl < 0) {
        if (this.buf.length > this.max) {
          onTooLarge(this.buf.length, this.buf.subarray(0, 4096));
          this.buf = Buffer.alloc(0);
          this.discard = Infinity;
        }
        return;
      }
      const end = nl > 0 && this.buf[nl - 1] === 13 ? nl - 1 : nl;
      if (end > 0) onFrame(this.buf.subarray(0, end));
      this.buf = this.buf.subarray(nl + 1);
    }
  }

}
