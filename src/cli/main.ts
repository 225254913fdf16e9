import { Command, CommanderError } from 'commander';
import { isClawkeepError } from '../errors.js';
import { registerClients } from './commands/clients.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEmulator } from './commands/emulator.js';
import { registerEvents } from './commands/events.js';
import { registerGateway } from './commands/gateway.js';
import { registerImport } from './commands/import.js';
import { registerModels } from './commands/models.js';
import { registerProfiles } from './commands/profiles.js';
import { registerToken } from './commands/token.js';
import { registerUsage } from './commands/usage.js';
import { type Io, processIo } from './output.js';

/** Exit codes: 0 ok, 1 a problem was found, 2 usage or runtime error. */
export const EXIT = { ok: 0, problem: 1, error: 2 } as const;

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('clawkeep')
    .description("keeps AI agents' model-provider credentials alive")
    .option('--home <dir>', 'clawkeep home (default $CLAWKEEP_HOME or ~/.clawkeep)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerProfiles(program, io, setExit);
  registerEvents(program, io);
  registerToken(program, io);
  registerModels(program, io, setExit);
  registerImport(program, io, setExit);
  registerEmulator(program, io);
  registerDoctor(program, io, setExit);
  registerGateway(program, io, setExit);
  registerClients(program, io);
  registerConfig(program, io, setExit);
  registerDemo(program, io);
  registerUsage(program, io);
  return program;
}

/** Runs the CLI and returns the exit code; never calls process.exit itself. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = Math.max(code, c);
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (isClawkeepError(err)) {
      io.err(`clawkeep: ${err.message} [${err.code}]`);
      return err.code === 'reauth_required' ? EXIT.problem : EXIT.error;
    }
    io.err(`clawkeep: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return EXIT.error;
  }
}
