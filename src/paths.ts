// Where Vigil's own files are, whether run from dist/ or installed as a package.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  // dist/src/paths.js → the package root is two folders up; src/paths.ts (run by a loader) → one.
  for (const up of ['../..', '..']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}/package.json`)) return dir.replace(/\/$/, '');
  }
  return process.cwd();
}

export const PACKAGE_ROOT = findRoot();
export const BUILTIN_RULES = `${PACKAGE_ROOT}/rules`;
/** The built dashboard (npm run build puts it here). */
export const WEB_ROOT = `${PACKAGE_ROOT}/web/dist`;

/** The version in package.json (`vigil --version`). */
export function packageVersion(): string {
  try {
    return String(JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
