import type { Command } from 'commander';
import type { Io } from '../output.js';

/** Adds one top-level command (and its subcommands) to the program. */
export type RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => void;

/**
 * Every top-level command, in the order help lists them, each loaded only when it is needed: a run of
 * `clawkeep token` or `clawkeep doctor` imports that command's module and its dependencies, not the
 * gateway's, the dashboard's and the emulator's too (docs/cli.md).
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<RegisterCommand> }> = [
  { name: 'profiles', load: async () => (await import('./profiles.js')).registerProfiles },
  { name: 'events', load: async () => (await import('./events.js')).registerEvents },
  { name: 'token', load: async () => (await import('./token.js')).registerToken },
  { name: 'models', load: async () => (await import('./models.js')).registerModels },
  { name: 'import', load: async () => (await import('./import.js')).registerImport },
  { name: 'emulator', load: async () => (await import('./emulator.js')).registerEmulator },
  { name: 'doctor', load: async () => (await import('./doctor.js')).registerDoctor },
  { name: 'gateway', load: async () => (await import('./gateway.js')).registerGateway },
  { name: 'clients', load: async () => (await import('./clients.js')).registerClients },
  { name: 'connect', load: async () => (await import('./connect.js')).registerConnect },
  { name: 'config', load: async () => (await import('./config.js')).registerConfig },
  { name: 'demo', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'dashboard', load: async () => (await import('./dashboard.js')).registerDashboard },
  { name: 'watch', load: async () => (await import('./watch.js')).registerWatch },
  { name: 'completion', load: async () => (await import('../completion.js')).registerCompletion },
  { name: 'store', load: async () => (await import('./store.js')).registerStore },
  { name: 'usage', load: async () => (await import('./usage.js')).registerUsage },
];

/** Global options that take a value: the word after them is that value, not the command. */
const VALUED_GLOBALS = new Set(['--home', '--store']);
/** Commands that read the whole command tree (completion scripts, help, suggestions for a typo). */
const NEEDS_ALL = new Set(['completion', 'help']);

/**
 * The commands to load for these arguments (argv without node and the script): the one named, or
 * all of them for help, `--version`-style global runs, completion and an unknown word (whose error
 * suggests the nearest command).
 */
export async function commandsFor(args: readonly string[]): Promise<RegisterCommand[]> {
  let name: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUED_GLOBALS.has(a)) i++;
    else if (a === '-h' || a === '--help') break;
    else if (!a.startsWith('-')) {
      name = a;
      break;
    }
  }
  const one = name !== null && !NEEDS_ALL.has(name) ? COMMANDS.find((c) => c.name === name) : undefined;
  return Promise.all((one ? [one] : COMMANDS).map((c) => c.load()));
}
