// The rule-parsing thread: claims the rule files the loading thread has not taken yet, in order, reads and parses
// each and posts its documents back at once (rule-reader.ts). A file that does not parse cleanly, cannot be read,
// or whose documents cannot be posted goes back as null: the loading thread reads it itself and meets the same
// error, or reports its YAML errors as the loader always does.
import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { cleanDocuments, type RuleDocument } from './rule-documents.js';
import type { ParseJob, Parsed } from './rule-reader.js';

const { files, claims, port } = workerData as ParseJob;
const claimed = new Int32Array(claims);

function read(file: string): RuleDocument[] | null {
  try {
    return cleanDocuments(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

for (let i = 0; i < files.length; i++) {
  if (Atomics.compareExchange(claimed, i, 0, 1) !== 0) continue;
  const docs = read(files[i]!);
  try {
    port.postMessage({ i, docs } satisfies Parsed);
  } catch {
    port.postMessage({ i, docs: null } satisfies Parsed);
  }
}
port.close();
