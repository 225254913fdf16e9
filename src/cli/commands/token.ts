import type { Command } from 'commander';
import { type GlobalOptions, withBroker } from '../context.js';
import type { Io } from '../output.js';

export function registerToken(program: Command, io: Io): void {
  program
    .command('token <profile>')
    .description('print a valid access token for scripts, refreshing through the broker when needed')
    .action(async (profileId: string) => {
      await withBroker(io, program.opts<GlobalOptions>(), async (broker) => {
        io.out(await broker.getAccessToken(profileId));
      });
    });
}
