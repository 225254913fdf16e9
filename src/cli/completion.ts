import type { Command } from 'commander';
import { ClawkeepError } from '../errors.js';
import type { Io } from './output.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What can follow a command path: its subcommands and options, global options included. */
interface Level {
  path: string;
  words: string[];
}

/** Walks the command tree as it is when called, so commands registered later are included. */
export function completionLevels(root: Command): Level[] {
  const help = root.createHelp();
  const globals = help
    .visibleOptions(root)
    .flatMap((o) => (o.long && o.long !== '--version' ? [o.long] : []));
  const levels: Level[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const subs = help.visibleCommands(cmd).map((c) => c.name());
    const own = help.visibleOptions(cmd).flatMap((o) => [o.long, o.short].filter((x): x is string => !!x));
    levels.push({ path: path.join(' '), words: [...new Set([...subs, ...own, ...globals])] });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return levels;
}

function caseTable(root: Command, indent: string, shell: 'sh' | 'fish'): string {
  return completionLevels(root)
    .map((l) =>
      shell === 'sh'
        ? `${indent}"${l.path}") echo "${l.words.join(' ')}" ;;`
        : `${indent}case '${l.path}'\n${indent}  echo '${l.words.join(' ')}'`,
    )
    .join('\n');
}

/** A completion script for `shell`, generated from the program's commands and options. */
export function completionScript(root: Command, shell: Shell): string {
  const name = root.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (shell === 'fish') {
    return `# ${name} completion for fish: ${name} completion fish | source
function ${fn}_words
  switch "$argv[1]"
${caseTable(root, '    ', 'fish')}
  end
end
function ${fn}_path
  set -l ck_path ''
  for w in (commandline -opc)[2..-1]
    string match -q -- '-*' $w; and continue
    if contains -- $w (string split ' ' (${fn}_words "$ck_path"))
      set ck_path (string trim -- "$ck_path $w")
    end
  end
  echo $ck_path
end
complete -c ${name} -f -a '(string split " " (${fn}_words (${fn}_path)))'
`;
  }
  const words = `${fn}_words() {
  case "$1" in
${caseTable(root, '    ', 'sh')}
  esac
}`;
  if (shell === 'zsh') {
    return `# ${name} completion for zsh: source <(${name} completion zsh)   (after compinit)
${words}
${fn}() {
  local ck_path="" w i
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    [[ " $(${fn}_words "$ck_path") " == *" $w "* ]] && ck_path="\${ck_path:+$ck_path }$w"
  done
  compadd -- \${=$(${fn}_words "$ck_path")}
}
compdef ${fn} ${name}
`;
  }
  return `# ${name} completion for bash: source <(${name} completion bash)
${words}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" ck_path="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    [[ " $(${fn}_words "$ck_path") " == *" $w "* ]] && ck_path="\${ck_path:+$ck_path }$w"
  done
  COMPREPLY=($(compgen -W "$(${fn}_words "$ck_path")" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`;
}

export function registerCompletion(program: Command, io: Io): void {
  program
    .command('completion <shell>')
    .description(
      `print a shell completion script (${SHELLS.join(' | ')}), e.g. source <(clawkeep completion bash)`,
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new ClawkeepError('usage', `unknown shell "${shell}"`, {
          hint: `use one of: ${SHELLS.join(', ')}`,
        });
      }
      io.out(completionScript(program, shell as Shell).trimEnd());
    });
}
