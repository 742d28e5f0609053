// vigil serve: the HTTP API, the pipeline and the workers, until SIGINT/SIGTERM.
import type { Config } from '../config/schema.js';
import { createLogger } from '../log.js';
import { PACKAGE_ROOT } from '../paths.js';
import { createVigil, StartupError } from '../vigil.js';

export function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

export async function serve(config: Config, configFile: string | undefined): Promise<void> {
  const log = createLogger(config.log);
  const vigil = await createVigil(config, log);
  await vigil.start();
  const { host, port } = splitListen(config.server.listen);
  try {
    await vigil.server.listen({ host, port });
  } catch (err) {
    // The workers are running: stop them, or the process would live on without its API.
    await vigil.stop();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is already in use (is another Vigil running?)' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new StartupError(`cannot listen on ${config.server.listen}: ${why}; set server.listen or --listen HOST:PORT`);
  }
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const banner = [
    '',
    `Vigil is listening on ${base}`,
    `  store:   ${config.database.url.replace(/\/\/[^@/]*@/, '//***@')}`,
    `  rules:   ${vigil.rules.rules.length} loaded${config.rules.builtin ? ' (built-in pack included)' : ''}`,
    `  email:   ${config.channels.email.enabled ? `to ${config.channels.email.to.map((t) => (typeof t === 'string' ? t : t.address)).join(', ')} via ${config.channels.email.host}:${config.channels.email.port}` : 'off (set channels.email in the config)'}`,
    `  config:  ${configFile ?? 'none (defaults); see vigil.example.yaml in ' + PACKAGE_ROOT}`,
    '',
    'Send Wazuh alerts (one object, a JSON array, or NDJSON):',
    `  curl -X POST ${base}/api/v1/ingest/wazuh \\`,
    `       -H "Authorization: Bearer $(cat ${vigil.tokenFile ?? '<your ingest.token>'})" \\`,
    `       -H "Content-Type: application/x-ndjson" --data-binary @alerts.json`,
    vigil.tokenFile
      ? vigil.tokenGeneratedNow
        ? `  (the ingest token was generated and saved in ${vigil.tokenFile})`
        : `  (the ingest token is the one kept in ${vigil.tokenFile})`
      : '  (the ingest token is the one set in ingest.token)',
    '',
    `Dashboard: ${base}/   API docs: ${base}/docs`,
    ...(vigil.firstAdmin
      ? [`  first start: user "${vigil.firstAdmin.name}" was created with password ${vigil.firstAdmin.password}`, '  (shown only this once; add people with `vigil user add NAME --role analyst`)']
      : []),
    '',
  ].join('\n');
  process.stdout.write(banner + '\n');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await vigil.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
