import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isDebugEnv, readEnv } from '../config/env.js';
import { checkProviderEnv } from '../providers/registry.js';
import { rememberGlobalArgs } from '../util/invoked-as.js';
import { registerClients } from './commands/clients.js';
import { registerConfig } from './commands/config.js';
import { registerConnect } from './commands/connect.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEmulator } from './commands/emulator.js';
import { registerEvents } from './commands/events.js';
import { registerGateway } from './commands/gateway.js';
import { registerImport } from './commands/import.js';
import { registerModels } from './commands/models.js';
import { registerProfiles } from './commands/profiles.js';
import { registerStore } from './commands/store.js';
import { registerToken } from './commands/token.js';
import { registerUsage } from './commands/usage.js';
import { registerWatch } from './commands/watch.js';
import { registerCompletion } from './completion.js';
import { commandPath, givesJson } from './json-flag.js';
import { exitQuietlyOnEpipe, type Io, processIo } from './output.js';
import { EXIT, reportError } from './report-error.js';

export { EXIT } from './report-error.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface ProgramOptions {
  /** True when the command being parsed was given `--json`: commander then prints nothing itself. */
  jsonErrors?: () => boolean;
}

export function buildProgram(io: Io, setExit: (code: number) => void, o: ProgramOptions = {}): Command {
  const program = new Command('clawkeep')
    .description("keeps AI agents' model-provider credentials alive")
    .version(VERSION, '-V, --version', 'print the clawkeep version')
    .option('--home <dir>', 'clawkeep home (default $CLAWKEEP_HOME or ~/.clawkeep)')
    .option(
      '--store <location>',
      'store: postgres://user@host/db or a SQLite file (default $CLAWKEEP_STORE, config "store", <home>/clawkeep.sqlite)',
    )
    .option('--debug', 'print the stack trace of unexpected errors (also CLAWKEEP_DEBUG=1)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => {
        if (!o.jsonErrors?.()) io.err(s.trimEnd());
      },
      // Commander's errors are thrown (exitOverride) and printed by reportError, in clawkeep's shape.
      outputError: () => {},
    });
  registerProfiles(program, io, setExit);
  registerEvents(program, io);
  registerToken(program, io);
  registerModels(program, io, setExit);
  registerImport(program, io, setExit);
  registerEmulator(program, io);
  registerDoctor(program, io, setExit);
  registerGateway(program, io, setExit);
  registerClients(program, io);
  registerConnect(program, io);
  registerConfig(program, io, setExit);
  registerDemo(program, io);
  registerDashboard(program, io);
  registerWatch(program, io);
  registerCompletion(program, io);
  registerStore(program, io, setExit);
  registerUsage(program, io);
  return program;
}

/** Runs the CLI and returns the exit code; never calls process.exit itself (but see exitQuietlyOnEpipe). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (io === processIo) exitQuietlyOnEpipe();
  let code: number = EXIT.ok;
  // The command commander reached last; a `--json` given to it (not one anywhere in argv, which may be
  // another option's value) decides how an error is printed.
  let reached: Command | null = null;
  const jsonErrors = () =>
    reached !== null &&
    (reached.opts<{ json?: unknown }>().json === true || givesJson(commandPath(reached), argv.slice(2)));
  const program = buildProgram(
    io,
    (c) => {
      code = Math.max(code, c);
    },
    { jsonErrors },
  );
  reached = program;
  trackDispatch(program, (c) => {
    reached = c;
  });
  program.hook('preAction', () => {
    readEnv(); // a bad variable is named before any command acts on it
    checkProviderEnv();
    const home = program.opts<{ home?: string }>().home;
    rememberGlobalArgs(home ? ['--home', home] : []);
  });
  // `--store` reaches every command, the gateway and the processes it starts, as CLAWKEEP_STORE.
  const savedStore = process.env.CLAWKEEP_STORE;
  program.hook('preAction', () => {
    const store = program.opts<{ store?: string }>().store;
    if (store) process.env.CLAWKEEP_STORE = store;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return EXIT.ok; // --help, --version
    // A command that needs a subcommand (`clawkeep profiles`) printed its help to stderr instead.
    if (err instanceof CommanderError && err.code === 'commander.help') return EXIT.error;
    const debug = program.opts<{ debug?: boolean }>().debug === true || isDebugEnv();
    const command = reached
      ? commandPath(reached)
          .slice(1)
          .map((c) => c.name())
          .join(' ')
      : '';
    return reportError(io, err, { json: jsonErrors(), debug, command });
  } finally {
    if (savedStore === undefined) delete process.env.CLAWKEEP_STORE;
    else process.env.CLAWKEEP_STORE = savedStore;
  }
}

/** Calls `onEnter` with each subcommand as commander dispatches to it, down to the one that runs. */
function trackDispatch(command: Command, onEnter: (c: Command) => void): void {
  if (command.commands.length === 0) return;
  command.hook('preSubcommand', (_parent, sub) => onEnter(sub));
  for (const sub of command.commands) trackDispatch(sub, onEnter);
}
