#!/usr/bin/env node
// The vigil command.
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { BUILTIN_RULES, packageVersion } from '../paths.js';
import { USER_FACING_CODES, VigilError } from '../errors.js';

// Each command's module is loaded when the command runs: the server's (Fastify, NATS, PostgreSQL, metrics) is a
// quarter of a second that `replay` or `rules test` would spend loading what they never use.

const program = new Command();
program
  .name('vigil')
  .description('A SOC tier-1 analyst for Wazuh: Sigma detections, incidents, enrichment and guarded actions.')
  .version(packageVersion(), '-V, --version', 'print the version of Vigil');

const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('serve')
  .description('run the HTTP API, the pipeline and the workers')
  .option('-c, --config <file>', 'config file (YAML); see vigil.example.yaml', process.env.VIGIL_CONFIG)
  .option('-l, --listen <host:port>', 'listen address (overrides server.listen)')
  .option('--cluster', 'run as one node of a cluster (NATS JetStream + PostgreSQL; the cluster section of the config)')
  .action(async (opts: { config?: string; listen?: string; cluster?: boolean }) => {
    const { serve, splitListen } = await import('./serve.js');
    const config = loadConfig(opts.config);
    if (opts.cluster) config.cluster.enabled = true;
    if (opts.listen) {
      if (!/^.+:\d+$/.test(opts.listen)) throw new ConfigError(`--listen: expected HOST:PORT, got "${opts.listen}"`);
      splitListen(opts.listen);
      config.server.listen = opts.listen;
    }
    await serve(config, opts.config);
  });

program
  .command('replay')
  .description('run detection offline over Wazuh alerts (NDJSON, as in alerts.json) or Windows events (evtx_dump JSON); - reads stdin')
  .argument('<files...>')
  .option('-c, --config <file>', 'config file (channels for actions, detection settings)', process.env.VIGIL_CONFIG)
  .option('-r, --rules <dir>', 'rule file or folder; repeatable; replaces the built-in rules', collect, [])
  .option('--json', 'one JSON object per detection per line')
  .option('--format <format>', 'input format: wazuh, evtx-json or wcs (Wazuh 5.x findings; default: detected per record)')
  .option('--no-actions', 'send nothing')
  .option('--validate', 'parse and check every record, also those no loaded rule can match (skipped unparsed by default)')
  .action(async (files: string[], opts: { config?: string; rules: string[]; json?: boolean; actions: boolean; format?: string; validate?: boolean }) => {
    if (opts.format && opts.format !== 'wazuh' && opts.format !== 'evtx-json' && opts.format !== 'wcs')
      throw new ConfigError(`--format: expected wazuh, evtx-json or wcs, got "${opts.format}"`);
    const config = loadConfig(opts.config);
    const { replay } = await import('./replay.js');
    process.exitCode = await replay(files, config, {
      rules: opts.rules,
      json: opts.json,
      actions: opts.actions,
      format: opts.format as 'wazuh' | 'evtx-json' | 'wcs' | undefined,
      validate: opts.validate,
    });
  });

const rules = program.command('rules').description('work with Sigma rules');
rules
  .command('lint')
  .description('load every rule and report ok / rejected / unsupported per file, then totals')
  .argument('<paths...>')
  .option('-c, --config <file>', 'config file: its detect.placeholders resolve |expand values', process.env.VIGIL_CONFIG)
  .action(async (paths: string[], opts: { config?: string }) => {
    const { lint } = await import('./rules.js');
    process.exitCode = lint(paths, { placeholders: loadConfig(opts.config).detect.placeholders });
  });
rules
  .command('test')
  .description("run each rule's test events (<rule>.test.yml beside it): pass / fail per rule, then totals")
  .argument('[paths...]', 'rule files or folders (default: the built-in rules)')
  .option('-c, --config <file>', 'config file: its detect.placeholders resolve |expand values', process.env.VIGIL_CONFIG)
  .action(async (paths: string[], opts: { config?: string }) => {
    const placeholders = loadConfig(opts.config).detect.placeholders;
    const { ruleTest } = await import('./rules-test.js');
    process.exitCode = ruleTest(paths.length > 0 ? paths : [BUILTIN_RULES], { placeholders });
  });

rules
  .command('backtest')
  .description('replay the stored alerts of the window through the rules in force and through the proposed rules or filters, side by side; print per rule the incidents that would vanish and appear. Changes nothing')
  .option('-c, --config <file>', 'config file (database.url: the stored alerts; rules, detection and triage settings)', process.env.VIGIL_CONFIG)
  .option('-r, --rules <dir>', 'proposed rule file or folder instead of the configured rules; repeatable', collect, [])
  .option('-f, --filters <file>', 'proposed Sigma filters (YAML), added to the rules')
  .option('--since <duration>', 'how far back: 30d, 12h, 90m (what retention kept)', '30d')
  .option('--json', 'the whole result as one JSON object')
  .action(async (opts: { config?: string; rules: string[]; filters?: string; since: string; json?: boolean }) => {
    const { backtestCli } = await import('./backtest.js');
    process.exitCode = await backtestCli(loadConfig(opts.config), opts);
  });

rules
  .command('convert-wazuh')
  .description('turn Wazuh 4.x XML rules into Sigma rules and correlations; lists what cannot be carried over, and why')
  .argument('<files...>', 'Wazuh rule files (ruleset/rules/*.xml), converted together so parents in other files resolve')
  .option('-o, --out <dir>', 'write one <name>.yml per input file into this folder (default: all to stdout)')
  .option('-v, --verbose', 'also list the level-0 and noalert rules folded into the rules built on them')
  .action(async (files: string[], opts: { out?: string; verbose?: boolean }) => {
    const { convertWazuh } = await import('./convert-wazuh.js');
    process.exitCode = convertWazuh(files, opts);
  });

const playbooks = program.command('playbooks').description('work with playbooks');
playbooks
  .command('test')
  .description('show which playbooks an incident matches and the actions they would take, without running them')
  .argument('<incident|file>', 'an incident id in the configured database, or a notification file (JSON or YAML)')
  .option('-c, --config <file>', 'config file (playbooks, channels, response guard rails, database)', process.env.VIGIL_CONFIG)
  .option('--change <change>', 'the incident change to test: opened, escalated, resolved, …')
  .action(async (target: string, opts: { config?: string; change?: string }) => {
    const changes = ['opened', 'updated', 'escalated', 'resolved', 'reopened', 'summary', 'enriched'];
    if (opts.change && !changes.includes(opts.change)) throw new ConfigError(`--change: expected one of ${changes.join(', ')}, got "${opts.change}"`);
    const { playbooksTest } = await import('./playbooks.js');
    process.exitCode = await playbooksTest(target, loadConfig(opts.config), opts);
  });

const cluster = program.command('cluster').description('cluster mode (NATS JetStream + PostgreSQL)');
cluster
  .command('status')
  .description('the live nodes, who owns each correlation partition, and the lag of the stream and of each partition')
  .option('-c, --config <file>', 'config file (its cluster section)', process.env.VIGIL_CONFIG)
  .option('--json', 'print the status as one JSON object')
  .action(async (opts: { config?: string; json?: boolean }) => {
    const { clusterStatus } = await import('./cluster.js');
    process.exitCode = await clusterStatus(loadConfig(opts.config), opts);
  });

const user = program.command('user').description('dashboard and API users');
user
  .command('add')
  .description('add a user; prints a generated password once, or reads one line from stdin with --password-stdin')
  .argument('<name>')
  .option('-r, --role <role>', 'viewer, analyst or admin', 'analyst')
  .option('--password-stdin', 'read the password from standard input')
  .option('-c, --config <file>', 'config file (for database.url)', process.env.VIGIL_CONFIG)
  .action(async (name: string, opts: { role: string; passwordStdin?: boolean; config?: string }) => {
    const { userAdd } = await import('./user.js');
    process.exitCode = await userAdd(loadConfig(opts.config), name, opts);
  });
user
  .command('list')
  .description('list users and their roles')
  .option('-c, --config <file>', 'config file (for database.url)', process.env.VIGIL_CONFIG)
  .action(async (opts: { config?: string }) => {
    const { userList } = await import('./user.js');
    process.exitCode = await userList(loadConfig(opts.config));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof VigilError && USER_FACING_CODES.has(err.code)) {
    process.stderr.write(`vigil: ${err.message}\n`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
    process.stderr.write(`vigil: ${(err as Error).message}\n`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    process.stderr.write(`vigil: cannot listen: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`vigil: ${(err as Error)?.stack ?? err}\n`);
  }
  process.exitCode = 1;
});
