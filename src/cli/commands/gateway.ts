import type { Command } from 'commander';
import { launchdPlistFor, type ServiceSpec, systemdUnitFor } from '../../runtime/service-unit.js';
import { gatewayStatus, stopGateway } from '../../serve/daemon.js';
import type { ListenOverrides } from '../../serve/listen-config.js';
import { chooseLogFormat, runGatewayForeground } from '../../serve/run-foreground.js';
import { startGatewayInBackground } from '../../serve/start-background.js';
import { resolveHome } from '../../store/home.js';
import { invokedAs } from '../../util/invoked-as.js';
import { CLI_PATH } from '../cli-path.js';
import type { GlobalOptions } from '../context.js';
import { parseHostFlag, parsePortFlag } from '../flags.js';
import { type Io, printJson } from '../output.js';
import { installService } from '../service-install.js';

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
      const spec: ServiceSpec = {
        name: 'gateway',
        description: 'clawkeep gateway (model-provider credentials for AI agents)',
        node: process.execPath,
        cli: CLI_PATH,
        home: home(),
        args: ['gateway', 'run'],
      };
      installService(
        io,
        { name: 'gateway', systemd: () => systemdUnitFor(spec), launchd: () => launchdPlistFor(spec) },
        Boolean(o.write),
      );
    });
}

/** The parsed `--port` / `--host` (flags beat the environment, which beats config). */
function listenOverrides(o: ListenFlags): ListenOverrides {
  return {
    ...(o.port === undefined ? {} : { port: parsePortFlag(o.port) }),
    ...(o.host === undefined ? {} : { host: parseHostFlag(o.host) }),
  };
}

interface ListenFlags {
  port?: string;
  host?: string;
}

async function startBackground(h: string, io: Io, o: ListenFlags): Promise<void> {
  const rec = await startGatewayInBackground({ home: h, cli: CLI_PATH, listen: listenOverrides(o) });
  io.out(`gateway started (pid ${rec.pid}) on ${rec.url}; log: ${rec.logPath}`);
}

async function runForeground(h: string, io: Io, o: ListenFlags & { logFormat?: string }): Promise<void> {
  const logFormat = chooseLogFormat(o.logFormat, Boolean(process.stdout.isTTY));
  await runGatewayForeground(
    { home: h, listen: listenOverrides(o), logFormat },
    {
      permissionFixed: (f) =>
        io.err(
          `notice: tightened permissions of ${f.path} from ${f.from.toString(8)} to ${f.to.toString(8)}`,
        ),
      leftoverRemoved: (path) => io.err(`notice: removed ${path}, left by an interrupted write`),
      listening(r) {
        io.err(
          `clawkeep gateway listening on ${r.url} (home ${r.home}, config ${r.configFile ?? 'embedded defaults'})`,
        );
        io.err(`  ${r.profiles} profile(s), ${r.clients} client key(s); Ctrl-C stops it`);
        if (r.profiles === 0)
          io.err(
            `  next: ${invokedAs()} models auth login --provider openai-codex   (or: ${invokedAs()} profiles add-key --provider openai --name default)`,
          );
        if (r.clients === 0)
          io.err(`  next: ${invokedAs()} clients add my-agent   (every request needs a client key)`);
      },
      stopping: ({ signal, inFlight, graceMs }) =>
        io.err(
          inFlight > 0
            ? `${signal}: stopping; waiting up to ${formatSeconds(graceMs)} for ${inFlight} in-flight request(s) to finish, then writing buffered events`
            : `${signal}: stopping; no request in flight, writing buffered events`,
        ),
      stopped: () => io.err('gateway stopped'),
    },
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
