// GitHub through the Wazuh module for GitHub (wodle github): audit log entries arrive as
// {"integration":"github","github":{"actor":…,"org":…,"action":"repo.destroy",…}} and are decoded into
// `data.github.*` with GitHub's audit-log field names (real samples: wazuh/wazuh ruleset/testing/tests/github.ini,
// rules ruleset/rules/0750-github_rules.xml @v4.14.7). SigmaHQ writes GitHub audit rules as
// `product: github, service: audit`.
import { integrationSource, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const audit = integrationSource('github', 'GitHub audit log', { label: 'github audit' });

export const githubSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'github' || ls.category) return undefined;
    return !ls.service || ls.service === 'audit' ? audit : undefined;
  },
};
