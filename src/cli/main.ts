import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isDebugEnv, readEnv } from '../config/env.js';
import { checkProviderEnv } from '../providers/registry.js';
import { rememberGlobalArgs } from '../util/invoked-as.js';
import { COMMANDS, commandsFor, type RegisterCommand } from './commands/index.js';
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

/**
 * The program with the given commands (`commandsFor` picks the one a run needs). Registering adds
 * options and actions only; nothing runs until it is parsed.
 */
export function buildProgram(
  io: Io,
  setExit: (code: number) => void,
  commands: readonly RegisterCommand[],
  o: ProgramOptions = {},
): Command {
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
  for (const register of commands) register(program, io, setExit);
  return program;
}

/** The program with every command: for what reads the whole tree (tests, docs). */
export async function buildFullProgram(io: Io, setExit: (code: number) => void): Promise<Command> {
  return buildProgram(io, setExit, await Promise.all(COMMANDS.map((c) => c.load())));
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
    await commandsFor(argv.slice(2)),
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
