// Which rules a backtest replays: those the proposal changes, the rules they read and the correlations that read
// them (so each is fed and silenced as in its whole set); a rule the same on both sides is not replayed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRules } from '../../src/detect/rules.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { changedRules } from '../../src/tuning/backtest.js';

const FILTER = `title: Not the backup job
logsource: {product: windows, service: security}
filter:
  rules: [windows_failed_logon]
  selection: {TargetUserName: svc_backup}
  condition: not selection
`;

describe('backtest: the rules replayed', () => {
  const current = loadRules([BUILTIN_RULES]);
  const names = (set: { rules: { name?: string; ref: { id: string } }[] }) => set.rules.map((r) => r.name ?? r.ref.id).sort();

  it('a filter on the failed logons replays them, the correlations counting them and what those also read, nothing else', () => {
    const proposed = loadRules([BUILTIN_RULES], process.cwd(), {}, [{ file: 'f.yml', text: FILTER }]);
    const sets = changedRules(current, proposed);
    const replayed = names(sets.current);
    assert.deepEqual(names(sets.proposed), replayed);
    for (const n of ['windows_failed_logon', 'windows_brute_force_by_ip', 'windows_password_spray_by_ip']) assert.ok(replayed.includes(n), `${n} is replayed`);
    assert.ok(current.rules.some((r) => r.name === 'ssh_brute_force_by_ip'));
    assert.ok(!replayed.includes('ssh_brute_force_by_ip') && !replayed.includes('ssh_authentication_failure'), 'the sshd rules cannot differ');
    assert.ok(replayed.length < current.rules.length / 2, `${replayed.length} of ${current.rules.length}`);
  });

  it('the same rules on both sides: nothing to replay; the same filter text twice is the same', () => {
    assert.deepEqual(changedRules(current, loadRules([BUILTIN_RULES])).current.rules, []);
    const a = loadRules([BUILTIN_RULES], process.cwd(), {}, [{ file: 'a.yml', text: FILTER }]);
    const b = loadRules([BUILTIN_RULES], process.cwd(), {}, [{ file: 'b.yml', text: FILTER }]);
    assert.deepEqual(changedRules(a, b).proposed.rules, []);
    const other = loadRules([BUILTIN_RULES], process.cwd(), {}, [{ file: 'b.yml', text: FILTER.replace('svc_backup', 'svc_other') }]);
    assert.ok(changedRules(a, other).proposed.rules.length > 0, 'another value is another filter');
  });
});
