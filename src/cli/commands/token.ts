import type { Command } from 'commander';
import { type GlobalOptions, withBroker } from '../context.js';
import { type Io, printJson } from '../output.js';

export function registerToken(program: Command, io: Io): void {
  program
    .command('token <profile>')
    .description('print a valid access token for scripts, refreshing through the broker when needed')
    .option('--json', 'print {profileId, type, token, accountId}; errors as {"error": …}')
    .action(async (profileId: string, o: { json?: boolean }) => {
      await withBroker(io, program.opts<GlobalOptions>(), async (broker) => {
        if (!o.json) return io.out(await broker.getAccessToken(profileId));
        const c = await broker.getCredential(profileId);
        printJson(io, { profileId: c.profileId, type: c.type, token: c.access, accountId: c.accountId });
      });
    });
}
