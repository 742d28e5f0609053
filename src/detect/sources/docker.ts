// Docker through the Wazuh module for Docker (wodle docker-listener): Docker engine events arrive as
// {"integration":"docker","docker":{"Type":"container","Action":"start","Actor":{"ID":…,"Attributes":{…}},…}} and
// are decoded into `data.docker.*` with the Docker events API's field names (real samples: wazuh/wazuh
// ruleset/testing/tests/docker_integration.ini, rules ruleset/rules/0560-docker_integration_rules.xml @v4.14.7).
import { integrationSource, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const events = integrationSource('docker', 'Docker engine events');

export const dockerSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'docker' || ls.category) return undefined;
    return !ls.service || ls.service === 'events' || ls.service === 'daemon' ? events : undefined;
  },
};
