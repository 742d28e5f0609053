import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { parseDocument } from 'yaml';
import { CHANNELS } from '../../src/act/channels/index.js';
import { PROVIDERS } from '../../src/enrich/providers/index.js';
import { SOURCES } from '../../src/sources/index.js';
import { CHANNEL_NAMES } from '../../src/act/channels/index.js';
import { playbookActionSchema } from '../../src/config/playbooks.js';
import { riskSchema } from '../../src/config/risk.js';
import { ROOT } from '../helpers/fixtures.js';

describe('config', () => {
  it('defaults: SQLite under ./data, 127.0.0.1:8470, built-in rules', () => {
    const c = parseConfig('', 'vigil.yaml');
    assert.equal(c.database.url, './data/vigil.db');
    assert.equal(c.server.listen, '127.0.0.1:8470');
    assert.equal(c.rules.builtin, true);
  });

  it('interpolates ${ENV} and keeps numbers numeric', () => {
    const c = parseConfig('ingest:\n  token: ${TOK}\nchannels:\n  email:\n    port: ${PORT}\n    host: ${HOST:-smtp.example}\n', 'v.yaml', {
      TOK: 's3cret',
      PORT: '2525',
    });
    assert.equal(c.ingest.token, 's3cret');
    assert.equal(c.channels.email.port, 2525);
    assert.equal(c.channels.email.host, 'smtp.example');
  });

  it('an unset variable names itself and the line', () => {
    assert.throws(() => parseConfig('server:\n  listen: 127.0.0.1:1\ningest:\n  token: ${NOPE}\n', 'v.yaml', {}), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /v\.yaml:4: environment variable NOPE is not set/);
      return true;
    });
  });

  it('a wrong type names the key, the line and what was expected', () => {
    assert.throws(() => parseConfig('channels:\n  email:\n    port: "many"\n', 'v.yaml', {}), /v\.yaml:3: channels\.email\.port: .*number/i);
  });

  it('an unknown key is an error naming it', () => {
    assert.throws(() => parseConfig('server:\n  lisen: 1.2.3.4:5\n', 'v.yaml', {}), /v\.yaml:\d+: server: unknown key "lisen"/);
  });

  it('invalid YAML names the line', () => {
    assert.throws(() => parseConfig('server:\n  listen: [\n', 'v.yaml', {}), /v\.yaml:\d+: invalid YAML/);
  });

  it('vigil.example.yaml is valid and documents every top-level section', () => {
    const text = readFileSync(`${ROOT}/vigil.example.yaml`, 'utf8');
    const c = parseConfig(text, 'vigil.example.yaml', { VIGIL_INGEST_TOKEN: 't', SMTP_USER: 'u', SMTP_PASS: 'p' });
    for (const key of Object.keys(c)) assert.match(text, new RegExp(`^${key}:`, 'm'), `section ${key} is documented`);
  });

  it('vigil.example.yaml documents every registered channel, provider and source, and each of their keys', () => {
    const doc = parseDocument(readFileSync(`${ROOT}/vigil.example.yaml`, 'utf8'));
    const registries = [
      ['channels', CHANNELS],
      ['enrich', PROVIDERS],
      ['sources', SOURCES],
    ] as const;
    for (const [section, list] of registries) {
      for (const c of list) {
        assert.ok(doc.hasIn([section, c.name]), `${section}.${c.name} is in vigil.example.yaml`);
        const defaults = c.configSchema.parse({}) as Record<string, unknown>;
        for (const key of Object.keys(defaults)) assert.ok(doc.hasIn([section, c.name, key]), `${section}.${c.name}.${key} is in vigil.example.yaml`);
      }
    }
  });

  it('risk: every key is in vigil.example.yaml; levels and tactic factors merge over the defaults', () => {
    const doc = parseDocument(readFileSync(`${ROOT}/vigil.example.yaml`, 'utf8'));
    for (const key of Object.keys(riskSchema.parse({}))) assert.ok(doc.hasIn(['risk', key]), `risk.${key} is in vigil.example.yaml`);
    const c = parseConfig('risk:\n  enabled: true\n  levels: { low: 5 }\n  tacticFactors: { Discovery: 0.8 }\n', 'v.yaml', {});
    assert.deepEqual(c.risk.levels, { informational: 0, low: 5, medium: 25, high: 50, critical: 80 });
    assert.equal(c.risk.tacticFactors['Discovery'], 0.8);
    assert.equal(c.risk.tacticFactors['Credential Access'], 1.5);
    assert.throws(() => parseConfig('risk:\n  entities: [hash]\n', 'v.yaml', {}), /v\.yaml:2: risk\.entities/);
  });

  it('a component enabled but incomplete is refused at load with file, line and key', () => {
    assert.throws(
      () => parseConfig('channels:\n  jira:\n    enabled: true\n    project: SEC\n', 'v.yaml', {}),
      (e: Error) => e instanceof ConfigError && /^v\.yaml:3: channels\.jira\.url: required when channels\.jira\.enabled is true$/.test(e.message),
    );
    assert.throws(() => parseConfig('enrich:\n  abuseipdb:\n    enabled: true\n', 'v.yaml', {}), /v\.yaml:3: enrich\.abuseipdb\.apiKey: .*required when/);
  });

  it('playbooks accept exactly the registered channel names', () => {
    for (const name of CHANNEL_NAMES) assert.ok(playbookActionSchema.safeParse({ notify: name }).success, name);
    assert.equal(playbookActionSchema.safeParse({ notify: 'carrier-pigeon' }).success, false);
  });
});
