// The webhook's body as text: decompressed when it is gzip (the HTTP outputs of Vector, Fluent Bit and Logstash
// can send it), then checked to be UTF-8. Each refusal says why and, for text, on which line.
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { VigilError } from '../errors.js';
import { InputError } from '../model/event.js';

const gunzipAsync = promisify(gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A body refused before it is read as alerts: 413 (too large once decompressed) or 415 (an unknown encoding). */
export class BodyError extends VigilError {
  constructor(
    readonly status: 400 | 413 | 415,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Undoes `Content-Encoding: gzip`; the decompressed body is held to the same limit as a plain one. */
export async function decodeBody(raw: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase() || 'identity';
  // No JSON text starts with the gzip magic bytes: a gzip body sent without its header is read as gzip too.
  if (encoding === 'gzip' || encoding === 'x-gzip' || (encoding === 'identity' && isGzip(raw))) {
    try {
      return await gunzipAsync(raw, { maxOutputLength: limit });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new BodyError(413, 'payload_too_large', `the decompressed body is larger than the limit of ${limit} bytes (server.bodyLimit)`);
      throw new BodyError(400, 'bad_request', `the body is not valid gzip (${(err as Error).message})`);
    }
  }
  if (encoding === 'identity') return raw;
  throw new BodyError(415, 'unsupported_media_type', `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported: send gzip or no encoding`);
}

/** The body as text; bytes that are not UTF-8 are refused with the line they are on (never replaced by U+FFFD). */
export function decodeText(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = body.indexOf(0x0a, start);
      try {
        utf8.decode(body.subarray(start, end === -1 ? body.length : end));
      } catch {
        throw new InputError(`line ${line}: not valid UTF-8`);
      }
      if (end === -1) throw new InputError('the body is not valid UTF-8');
      start = end + 1;
    }
  }
}
