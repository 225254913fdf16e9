import type { Command, Option } from 'commander';

/** The chain of commands from the program down to `command`. */
export function commandPath(command: Command): Command[] {
  const path: Command[] = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c);
  return path;
}

/**
 * Whether `args` (the words after the program name) give `--json` to the last command of `path`, read
 * as commander reads them: an option that takes a value swallows the next word, so in
 * `events --profile --json` the `--json` is a profile id. Commander stops at the first bad word
 * (`--key-store x --json`), so a usage error cannot rely on the options it parsed.
 */
export function givesJson(path: readonly Command[], args: readonly string[]): boolean {
  const last = path.at(-1);
  if (!last?.options.some((o) => o.long === '--json')) return false;
  let level = 0;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') return false;
    if (word.length > 1 && word.startsWith('-')) {
      const flag = word.split('=', 1)[0]!;
      if (flag === '--json' && level === path.length - 1) return true;
      const option = findOption(path.slice(0, level + 1), flag);
      if (option && !word.includes('=') && takesValue(option, args[i + 1])) i++;
      continue;
    }
    const next = path[level + 1];
    if (next && (word === next.name() || next.aliases().includes(word))) level++;
  }
  return false;
}

// Program options count after a subcommand too (commander's default, no positional options).
function findOption(commands: readonly Command[], flag: string): Option | undefined {
  for (const c of commands.toReversed()) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

function takesValue(option: Option, next: string | undefined): boolean {
  if (option.required) return true;
  return option.optional && next !== undefined && !next.startsWith('-');
}
