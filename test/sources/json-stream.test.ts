// How `vigil replay` cuts its input into records: NDJSON, pretty-printed objects, objects side by side on a
// line, evtx_dump's "Record N" headers. Strings hold what would confuse a scanner (braces, quotes after
// backslashes, runs of backslashes); every record read back parses to the document written, on its line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readRecords, type ReadOptions, type RawRecord } from '../../src/sources/json-stream.js';
import { ROOT } from '../helpers/fixtures.js';

/** Every record readRecords gives of the input. */
async function readAll(input: Readable, options?: ReadOptions): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of readRecords(input, options)) out.push(r);
  return out;
}

/** The records of `text` given as strings of `chunk` characters (a line, an escape may be split). */
function records(text: string, chunk = 64 * 1024, options?: ReadOptions): Promise<RawRecord[]> {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += chunk) pieces.push(text.slice(i, i + chunk));
  return readAll(Readable.from(pieces), options);
}

/** Each record as [its text, the line it starts on]. */
const cuts = (rs: RawRecord[]) => rs.map((r) => [r.text, r.line]);

/** Strings made to mislead: braces and brackets, escaped quotes, backslash runs of every parity at the end. */
const TRICKY = ['{', '}', '[', ']', '"', '\\', '\\\\', '\\"', '\\\\"', 'a\\', 'a\\\\', '"}{"', '} {', '\\u0022}', 'é}ü', 'line\nbreak'];

/** A deterministic pseudo-random document of nested objects and arrays over those strings. */
function doc(seed: number): unknown {
  let s = seed;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
  const value = (depth: number): unknown => {
    const k = rnd(depth > 3 ? 3 : 5);
    if (k === 0) return TRICKY[rnd(TRICKY.length)]! + TRICKY[rnd(TRICKY.length)]!;
    if (k === 1) return rnd(1000) - 500;
    if (k === 2) return [null, true, false][rnd(3)];
    if (k === 3) return Array.from({ length: rnd(4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: 1 + rnd(4) }, (_, i) => [TRICKY[rnd(TRICKY.length)]! + i, value(depth + 1)]));
  };
  return { id: seed, data: value(0), tail: TRICKY[seed % TRICKY.length] };
}

/** The bytes of `text` as a file stream gives them, `size` bytes a chunk (a character's bytes may be split). */
async function recordsOfBytes(text: string, size: number): Promise<RawRecord[]> {
  const bytes = Buffer.from(text, 'utf8');
  const input = new Readable({ read() {} });
  for (let i = 0; i < bytes.length; i += size) input.push(bytes.subarray(i, i + size));
  input.push(null);
  return readAll(input);
}

describe('readRecords', () => {
  it('reads NDJSON, pretty-printed and side-by-side objects whose strings hold braces, quotes and backslashes', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => doc(i + 1));
    const parts: string[] = [];
    const lines: number[] = [];
    let line = 1;
    for (let i = 0; i < docs.length; i++) {
      const form = i % 4;
      if (form === 3) {
        parts.push(`Record ${i}`); // evtx_dump's header line
        line++;
      }
      if (form === 2 && i + 1 < docs.length) {
        // two side by side on one line
        parts.push(JSON.stringify(docs[i]) + JSON.stringify(docs[i + 1]));
        lines.push(line, line);
        line++;
        i++;
        continue;
      }
      const text = form === 1 ? JSON.stringify(docs[i], null, 2) : JSON.stringify(docs[i]);
      parts.push(text);
      lines.push(line);
      line += text.split('\n').length;
    }
    const input = parts.join('\n') + '\n';
    // Read whole and in chunks that cut lines (and escapes) anywhere.
    for (const chunk of [1 << 20, 7, 1]) {
      const got = await records(input, chunk);
      assert.equal(got.length, docs.length, `chunk ${chunk}`);
      got.forEach((r, i) => {
        assert.deepEqual(JSON.parse(r.text), docs[i], `record ${i}, chunk ${chunk}`);
        assert.equal(r.line, lines[i], `line of record ${i}`);
      });
    }
  });

  it('a string that ends a line on a backslash goes on with its next character escaped', async () => {
    // Not JSON (a string over two lines) but the cut must still fall where the object ends: the quote that
    // starts the second line is escaped, so the brace after it is inside the string.
    const got = await records('{"a":"x\\\n"}","b":1}\n{"c":2}\n');
    assert.deepEqual(
      cuts(got),
      [
        ['{"a":"x\\\n"}","b":1}', 1],
        ['{"c":2}', 3],
      ],
    );
  });

  it('reads UTF-8 whose characters are split between chunks, and CRLF line ends', async () => {
    const docs = [{ user: 'Jürgen', note: '€ 5 😀' }, { host: 'ホスト' }, { msg: '\u00e9' }];
    const text = docs.map((d) => JSON.stringify(d)).join('\r\n') + '\r\n';
    for (const size of [1, 2, 3, 5]) {
      const got = await recordsOfBytes(text, size);
      assert.deepEqual(
        got.map((r) => [JSON.parse(r.text), r.line]),
        docs.map((d, i) => [d, i + 1]),
        `chunks of ${size} bytes`,
      );
      assert.ok(got.every((r) => !r.text.includes('\r')));
    }
  });

  it('cuts a line of many objects side by side into each of them, with what follows the last handed on', async () => {
    const docs = Array.from({ length: 500 }, (_, i) => doc(1000 + i));
    const got = await records(docs.map((d, i) => JSON.stringify(d) + (i % 3 === 0 ? ' ' : '')).join('') + ' trailing\n{"next":1}\n', 4096);
    assert.equal(got.length, 502);
    got.slice(0, 500).forEach((r, i) => {
      assert.deepEqual(JSON.parse(r.text), docs[i]);
      assert.equal(r.line, 1);
    });
    assert.deepEqual(
      cuts(got.slice(500)),
      [
        ['trailing', 1],
        ['{"next":1}', 2],
      ],
    );
  });

  it('hands on whole what is not JSON structure, for the parser to report', async () => {
    const got = await records('{"a":1}\nnot json\n42\n\n{"b":"}"}\n');
    assert.deepEqual(
      cuts(got),
      [
        ['{"a":1}', 1],
        ['not json', 2],
        ['42', 3],
        ['{"b":"}"}', 5],
      ],
    );
    // the last line without its newline is read too
    assert.deepEqual(
      cuts(await records('{"a":1}\r\n{"b":2}')),
      [
        ['{"a":1}', 1],
        ['{"b":2}', 2],
      ],
    );
  });

  it('a record over the limit is read to its end without being kept: given by its line and size in bytes, and what follows is read', async () => {
    const big = JSON.stringify({ big: 'x'.repeat(3000) });
    // 'é' is two bytes: 500 of them are under a 1,000-byte limit in characters and over it in bytes.
    const wide = JSON.stringify({ wide: 'é'.repeat(500) });
    const fits = JSON.stringify({ fits: 'é'.repeat(480) });
    const text = `{"a":1}\n${big} {"b":2}\n${wide}\n${fits}\n{\n  "c": "${'y'.repeat(1200)}"\n}\n{"d":4}`;
    for (const chunk of [1, 7, 64 * 1024]) {
      const got = await records(text, chunk, { maxRecordBytes: 1000 });
      assert.deepEqual(
        got.map((r) => [r.text === '' ? r.tooLarge : JSON.parse(r.text), r.line]),
        [
          [{ a: 1 }, 1],
          [Buffer.byteLength(big), 2],
          [{ b: 2 }, 2],
          [Buffer.byteLength(wide), 3],
          [JSON.parse(fits), 4],
          // a pretty-printed record's size counts its line breaks
          [Buffer.byteLength(`{\n  "c": "${'y'.repeat(1200)}"\n}`), 5],
          [{ d: 4 }, 8],
        ],
        `chunks of ${chunk}`,
      );
      assert.ok(got.every((r) => r.text === '' || r.tooLarge === undefined));
    }
  });

  it('a 256 MB record and a 64 MB line of small objects are read with a 48 MB heap', () => {
    // In a process of its own whose heap cannot hold either: holding the record, or the line, runs it out of memory.
    const script = `
      import { Readable } from 'node:stream';
      import { readRecords } from ${JSON.stringify(join(ROOT, 'dist/src/sources/json-stream.js'))};
      const piece = Buffer.from('x'.repeat(64 * 1024));
      const object = Buffer.from(JSON.stringify({ n: 1, pad: 'z'.repeat(1000) }));
      async function* bytes() {
        yield Buffer.from('{"before":1}\\n{"big":"');
        for (let i = 0; i < 4096; i++) yield piece;
        yield Buffer.from('"}\\n');
        let line = [];
        for (let i = 0; i < 64 * 1024; i++) {
          line.push(object);
          if (line.length === 64) (yield Buffer.concat(line), (line = []));
        }
        yield Buffer.from('\\n{"after":2}\\n');
      }
      let small = 0;
      const seen = [];
      for await (const r of readRecords(Readable.from(bytes()), { maxRecordBytes: 1 << 20 })) {
        if (r.text.startsWith('{"n":1')) small++;
        else seen.push([r.tooLarge ?? r.text, r.line]);
      }
      process.stdout.write(JSON.stringify({ seen, small }));
    `;
    const run = spawnSync(process.execPath, ['--max-old-space-size=48', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.deepEqual(JSON.parse(run.stdout), {
      seen: [
        ['{"before":1}', 1],
        [4096 * 64 * 1024 + '{"big":"'.length + '"}'.length, 2],
        ['{"after":2}', 4],
      ],
      small: 64 * 1024,
    });
  });
});

