import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/schema.js';
import { ClawkeepError } from '../../errors.js';
import { checkWatchableStateDir, locateOpenClawHomes } from '../../openclaw/locate.js';
import { launchdPlistFor, systemdUnitFor } from '../../runtime/service-unit.js';
import { resolveHome } from '../../store/home.js';
import { invokedAs } from '../../util/invoked-as.js';
import { runWatchForeground } from '../../watch/run-foreground.js';
import { CLI_PATH } from '../cli-path.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../output.js';
import { installService } from '../service-install.js';

interface WatchFlags {
  openclawHome?: string[];
  openclawPackage?: string[];
  webhook?: string;
  debounceMs?: string;
  rescanMs?: string;
  settleMs?: string;
  logLevel?: string;
  metricsPort?: string;
  metricsFile?: string;
}

export function registerWatch(program: Command, io: Io): void {
  const home = () => resolveHome(program.opts<GlobalOptions>().home);
  const watch = program
    .command('watch')
    .description(
      'guardian beside a live OpenClaw: heals splits as they form, reconciles once per OpenClaw version, clears stale locks, recovers abandoned refresh fences (foreground)',
    )
    .option(
      '--openclaw-home <dir>',
      'OpenClaw state dir (repeatable; default $OPENCLAW_STATE_DIR, ~/.openclaw, ~/.clawdbot)',
      collect,
    )
    .option(
      '--openclaw-package <dir>',
      'installed openclaw package whose version to watch (default: on $PATH)',
      collect,
    )
    .option('--webhook <url>', 'POST what needs a person here (default: gateway.webhook of the config)')
    .option('--debounce-ms <ms>', 'quiet time after a file event before a pass', '50')
    .option('--rescan-ms <ms>', 'safety-net rescan interval', '30000')
    .option('--settle-ms <ms>', 'quiet time after an OpenClaw version transition before reconciling', '1500')
    .option('--log-level <level>', 'info, warn, debug…', 'info')
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on http://127.0.0.1:<port>/metrics (0: any free port)',
    )
    .option(
      '--metrics-file <path.prom>',
      "write Prometheus metrics to this file (node_exporter's textfile collector)",
    )
    .action(async (o: WatchFlags) => {
      const h = home();
      await runWatchForeground({
        clawkeepHome: h,
        openclawHomes: resolveHomes(io, o.openclawHome),
        packageDirs: o.openclawPackage ?? [],
        ...optional('webhook', o.webhook ?? loadConfig(h).config.gateway.webhook),
        debounceMs: ms('--debounce-ms', o.debounceMs),
        rescanMs: ms('--rescan-ms', o.rescanMs),
        settleMs: ms('--settle-ms', o.settleMs),
        logLevel: o.logLevel ?? 'info',
        metricsPort: checkMetricsFlags(o),
        ...optional('metricsFile', o.metricsFile),
        command: invokedAs(),
        say: (line) => io.err(line),
      });
    });

  watch
    .command('install')
    .description(
      'print (or --write) a systemd user unit, or a launchd plist on macOS, that keeps the guardian running',
    )
    .option(
      '--openclaw-home <dir>',
      'OpenClaw state dir to guard (repeatable; default: those found now)',
      collect,
    )
    .option('--metrics-port <port>', 'the unit serves Prometheus metrics on http://127.0.0.1:<port>/metrics')
    .option('--metrics-file <path.prom>', "the unit writes metrics for node_exporter's textfile collector")
    .option(
      '--write',
      'write the file (run again, it updates the same unit and keeps a backup of the old one)',
    )
    .action(
      async (o: Pick<WatchFlags, 'openclawHome' | 'metricsPort' | 'metricsFile'> & { write?: boolean }) => {
        // `watch --openclaw-home X install` and `watch install --openclaw-home X` alike (commander hands
        // an option the parent also declares to the parent).
        const parent = watch.opts<WatchFlags>();
        const flags = {
          metricsPort: o.metricsPort ?? parent.metricsPort,
          metricsFile: o.metricsFile ?? parent.metricsFile,
        };
        const homes = resolveHomes(io, o.openclawHome ?? parent.openclawHome);
        const metricsPort = checkMetricsFlags(flags);
        const spec = {
          name: 'watch',
          description: 'clawkeep guardian (keeps OpenClaw credential stores healed)',
          node: process.execPath,
          cli: CLI_PATH,
          home: home(),
          args: [
            'watch',
            ...homes.flatMap((d) => ['--openclaw-home', d]),
            ...(metricsPort === null ? [] : ['--metrics-port', String(metricsPort)]),
            ...(flags.metricsFile ? ['--metrics-file', resolve(flags.metricsFile)] : []),
          ],
        };
        installService(
          io,
          { name: 'watch', systemd: () => systemdUnitFor(spec), launchd: () => launchdPlistFor(spec) },
          Boolean(o.write),
        );
      },
    );
}

/**
 * Every state dir must exist, and be one or (before OpenClaw's first run) an unused dir; a guardian
 * over nothing, or over a dir one level inside a state dir, is an error, never a quiet run.
 */
function resolveHomes(io: Io, explicit: string[] | undefined): string[] {
  const homes = locateOpenClawHomes(explicit ? { explicit } : {});
  if (homes.length === 0) {
    throw new ClawkeepError(
      'usage',
      'no OpenClaw state dir found ($OPENCLAW_STATE_DIR, ~/.openclaw, ~/.clawdbot); pass --openclaw-home DIR',
    );
  }
  for (const d of homes)
    if (!checkWatchableStateDir(d))
      io.err(`notice: ${d} is not an OpenClaw state dir yet; guarding it for when OpenClaw first runs there`);
  return homes;
}

/** The metrics flags, checked: the port (null: none), and a textfile path that must end in `.prom`. */
function checkMetricsFlags(o: {
  metricsPort?: string | undefined;
  metricsFile?: string | undefined;
}): number | null {
  if (o.metricsFile !== undefined && !o.metricsFile.endsWith('.prom'))
    throw new ClawkeepError(
      'usage',
      `--metrics-file ${o.metricsFile}: expected a path ending in .prom (node_exporter's textfile collector reads only those)`,
    );
  return o.metricsPort === undefined ? null : port('--metrics-port', o.metricsPort);
}

function ms(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new ClawkeepError('usage', `${flag} ${v}: expected a whole number of milliseconds`);
  return n;
}

function port(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ClawkeepError('usage', `${flag} ${v}: expected a port number (0-65535)`);
  return n;
}

/** `{ [key]: value }` when the value is set, else nothing (for optional fields under exactOptionalPropertyTypes). */
function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
