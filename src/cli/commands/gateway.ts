import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { readEnv } from '../../config/env.js';
import { ClawkeepError } from '../../errors.js';
import { loadConfig } from '../../gateway/config.js';
import { gatewayStatus, startDetached, stopGateway } from '../../gateway/daemon.js';
import { createLogger, type LogFormat } from '../../gateway/log.js';
import { claimPidFile } from '../../gateway/pidfile.js';
import { startGateway } from '../../gateway/server.js';
import { launchdPlist, systemdUnit } from '../../gateway/service-unit.js';
import { createLinkedSources } from '../../linked/index.js';
import { sweepLinkedLeftovers } from '../../linked/leftovers.js';
import { resolveHome } from '../../store/home.js';
import { sweepLeftovers } from '../../store/leftovers.js';
import { openStore } from '../../store/open-store.js';
import { withWriteWorker } from '../../store/worker/write-worker-store.js';
import { invokedAs } from '../../util/invoked-as.js';
import type { GlobalOptions } from '../context.js';
import { parseHostFlag, parsePortFlag } from '../flags.js';
import { checkPortFree, explainListenError } from '../listen-error.js';
import { type Io, printJson } from '../output.js';
import { installService } from '../service-install.js';

const CLI_PATH = fileURLToPath(new URL('../../../bin/clawkeep.js', import.meta.url));

export function registerGateway(program: Command, io: Io, setExit: (code: number) => void): void {
  const home = () => resolveHome(program.opts<GlobalOptions>().home);
  const gw = program.command('gateway').description('the OpenAI/Anthropic-compatible gateway agents talk to');

  const listenOptions = (c: Command) =>
    c
      .option('--port <port>', 'listen port, 0 = any free one (beats CLAWKEEP_GATEWAY_PORT and config)')
      .option('--host <host>', 'bind address (beats CLAWKEEP_GATEWAY_HOST and config)');

  listenOptions(gw.command('run'))
    .description('run the gateway in the foreground (Ctrl-C stops it gracefully)')
    .option('--log-format <format>', 'json | pretty (default: pretty on a terminal, else json)')
    .action(async (o: ListenFlags & { logFormat?: string }) => {
      await runForeground(home(), io, o);
    });

  listenOptions(gw.command('start'))
    .description('start the gateway in the background (log: <home>/gateway.log)')
    .action(async (o: ListenFlags) => {
      await startBackground(home(), io, o);
    });

  gw.command('stop')
    .description('stop the background gateway; in-flight streams get the shutdown grace period to finish')
    .action(async () => {
      const stopped = await stopGateway(home());
      io.out(stopped ? `gateway stopped (pid ${stopped})` : 'no gateway is running on this home');
    });

  listenOptions(gw.command('restart'))
    .description('stop, then start the background gateway')
    .action(async (o: ListenFlags) => {
      const stopped = await stopGateway(home());
      if (stopped) io.out(`gateway stopped (pid ${stopped})`);
      await startBackground(home(), io, o);
    });

  gw.command('status')
    .description('is a gateway running on this home, and is it healthy (exit 1 if not)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const status = await gatewayStatus(home());
      if (!status.running || !status.healthy) setExit(1);
      if (o.json) return printJson(io, status);
      io.out(
        status.running
          ? `gateway pid ${status.pid} on ${status.url}: ${status.healthy ? 'healthy' : 'NOT answering /healthz'}`
          : 'no gateway is running on this home',
      );
    });

  gw.command('install')
    .description(
      'print (or --write) a systemd user unit, or a launchd plist on macOS, that keeps the gateway running',
    )
    .option('--write', 'write it (again: updates the same file, keeping a backup of the old one)')
    .action(async (o: { write?: boolean }) => {
      const spec = { node: process.execPath, cli: CLI_PATH, home: home() };
      installService(
        io,
        { name: 'gateway', systemd: () => systemdUnit(spec), launchd: () => launchdPlist(spec) },
        Boolean(o.write),
      );
    });
}

async function startBackground(h: string, io: Io, o: ListenFlags): Promise<void> {
  const { gateway } = listenConfig(h, o);
  await checkPortFree({ host: gateway.host, port: gateway.port, home: h });
  const args = [
    ...(o.port === undefined ? [] : ['--port', o.port]),
    ...(o.host === undefined ? [] : ['--host', o.host]),
  ];
  const rec = await startDetached({
    home: h,
    cli: CLI_PATH,
    args,
    listen: `${gateway.host}:${gateway.port}`,
  });
  io.out(`gateway started (pid ${rec.pid}) on ${rec.url}; log: ${rec.logPath}`);
}

interface ListenFlags {
  port?: string;
  host?: string;
}

/** The gateway settings with `--port`/`--host` applied: flags beat the environment, which beats config. */
function listenConfig(h: string, o: ListenFlags) {
  const loaded = loadConfig(h);
  const gateway = {
    ...loaded.config.gateway,
    ...(o.port === undefined ? {} : { port: parsePortFlag(o.port) }),
    ...(o.host === undefined ? {} : { host: parseHostFlag(o.host) }),
  };
  return { ...loaded, config: { ...loaded.config, gateway }, gateway };
}

function logFormat(flag: string | undefined): LogFormat {
  const chosen = flag ?? readEnv().CLAWKEEP_LOG_FORMAT;
  if (chosen === undefined) return process.stdout.isTTY ? 'pretty' : 'json';
  if (chosen !== 'json' && chosen !== 'pretty')
    throw new ClawkeepError('usage', `--log-format ${chosen}: expected json or pretty`);
  return chosen;
}

async function runForeground(h: string, io: Io, o: ListenFlags & { logFormat?: string }): Promise<void> {
  const { config, file } = listenConfig(h, o);
  const format = logFormat(o.logFormat);
  const opened = openStore({ home: h });
  for (const f of opened.fixes)
    io.err(`notice: tightened permissions of ${f.path} from ${f.from.toString(8)} to ${f.to.toString(8)}`);
  // SQLite writes on a worker thread: another process holding the lock never freezes requests
  // (PostgreSQL's driver is asynchronous already).
  const store =
    opened.location.kind === 'sqlite' ? withWriteWorker(opened.store, opened.location.path) : opened.store;
  for (const path of [...sweepLeftovers(h), ...(await sweepLinkedLeftovers(store))])
    io.err(`notice: removed ${path}, left by an interrupted write`);
  const log = createLogger(config.gateway.logLevel, undefined, format);
  const { host, port } = config.gateway;
  let release: (() => void) | null = null;
  try {
    release = claimPidFile(h, {
      pid: process.pid,
      url: `http://${host}:${port}`,
      startedAt: Date.now(),
    });
    const gateway = await startGateway({
      store,
      config,
      log,
      linked: createLinkedSources(store),
      home: h,
    }).catch((err: unknown) => {
      throw explainListenError(err, { host, port, home: h });
    });
    if (gateway.url !== `http://${host}:${port}`) {
      release();
      release = claimPidFile(h, { pid: process.pid, url: gateway.url, startedAt: Date.now() });
    }
    const profiles = await store.listProfiles();
    const clients = await store.listClients();
    io.err(`clawkeep gateway listening on ${gateway.url} (home ${h}, config ${file ?? 'embedded defaults'})`);
    io.err(`  ${profiles.length} profile(s), ${clients.length} client key(s); Ctrl-C stops it`);
    if (profiles.length === 0)
      io.err(
        `  next: ${invokedAs()} models auth login --provider openai-codex   (or: ${invokedAs()} profiles add-key --provider openai --name default)`,
      );
    if (clients.length === 0)
      io.err(`  next: ${invokedAs()} clients add my-agent   (every request needs a client key)`);
    log.info({ url: gateway.url, config: file }, 'gateway listening');
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        void (async () => {
          const inFlight = (await gateway.metrics.inFlight.get()).values[0]?.value ?? 0;
          const grace = config.gateway.shutdownGraceMs;
          io.err(
            inFlight > 0
              ? `${signal}: stopping; waiting up to ${formatSeconds(grace)} for ${inFlight} in-flight request(s) to finish, then writing buffered events`
              : `${signal}: stopping; no request in flight, writing buffered events`,
          );
          log.info({ graceMs: grace, inFlight }, 'gateway stopping');
          await gateway.close();
          io.err('gateway stopped');
          resolve();
        })();
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('Ctrl-C'));
    });
  } finally {
    release?.();
    await store.close();
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
