import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo.js';
import { resolveHome } from '../../store/home.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../output.js';

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description(
      'offline demo: emulator + gateway + a scripted agent (a completion, a refresh storm, a loud fallback)',
    )
    .action(async () => {
      await runDemo((line) => io.out(line), { userHome: resolveHome(program.opts<GlobalOptions>().home) });
    });
}
