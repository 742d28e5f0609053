// Logsource gates: a rule applies only to events of its logsource. The mapping per Wazuh source lives in
// sources/ (one file per source, README "Logsources"); a logsource none of them knows is refused at load rather
// than applied to everything.
import type { EventFormat } from '../model/index.js';
import { resolveSource } from './sources/index.js';
import type { Gate, Logsource } from './sources/source.js';

export type { Gate, Logsource } from './sources/source.js';
export { WINDOWS_CATEGORIES, WINDOWS_CHANNELS } from './sources/windows.js';
export { resolveSource } from './sources/index.js';

export function compileGate(ls: Logsource, format: EventFormat): Gate {
  return resolveSource(ls, format).gate;
}
