import { readEnv } from '../config/env.js';

let globalArgs: string[] = [];

/**
 * Global flags every printed command must repeat to act on the same thing (e.g. `--home DIR`).
 * Set once by the CLI entry point.
 */
export function rememberGlobalArgs(args: string[]): void {
  globalArgs = args.map(quoteArg);
}

/**
 * How the user runs clawkeep, for every "run this" line: `npx clawkeep` when started through npx
 * (or `npm exec`), else `clawkeep`; followed by the global flags this run was given.
 */
export function invokedAs(env: NodeJS.ProcessEnv = process.env, argv1 = process.argv[1] ?? ''): string {
  return [isNpx(env, argv1) ? 'npx clawkeep' : 'clawkeep', ...globalArgs].join(' ');
}

/** `invokedAs()` acting on another home: `clawkeep --home <home>`, whatever home this run was given. */
export function invokedAsOn(
  home: string,
  env: NodeJS.ProcessEnv = process.env,
  argv1 = process.argv[1] ?? '',
): string {
  return [isNpx(env, argv1) ? 'npx clawkeep' : 'clawkeep', '--home', quoteArg(home)].join(' ');
}

function isNpx(env: NodeJS.ProcessEnv, argv1: string): boolean {
  if (/[\\/]_npx[\\/]/.test(argv1)) return true;
  let e: ReturnType<typeof readEnv>;
  try {
    e = readEnv(env);
  } catch {
    return false; // The invalid variable is reported where it is used.
  }
  return (
    e.npm_command === 'exec' ||
    e.npm_lifecycle_event === 'npx' ||
    /npx-cli\.[cm]?js$/.test(e.npm_execpath ?? '')
  );
}

/** Quotes one argument for a POSIX shell when it needs it. */
export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
