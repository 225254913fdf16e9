import type { Command } from 'commander';
import { addClient, revokeClient, viewClient } from '../../clients/keys.js';
import { loadConfig } from '../../config/schema.js';
import { ClawkeepError } from '../../errors.js';
import { invokedAs } from '../../util/invoked-as.js';
import { confirmOrYes } from '../confirm.js';
import { type GlobalOptions, withStore } from '../context.js';
import { formatTable, type Io, printJson } from '../output.js';

export function registerClients(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const clients = program.command('clients').description('client keys: every gateway request needs one');

  clients
    .command('add <name>')
    .description('create a client and print its key (shown once; only a hash is stored)')
    .option('--chain <chain>', 'default chain for requests that name none')
    .action(async (name: string, o: { chain?: string }) => {
      await withStore(io, g(), async (store, home) => {
        const { key } = await addClient(store, loadConfig(home).config, name, o.chain ?? null);
        io.out(key);
        io.err(
          `client ${name} created${o.chain ? ` (chain ${o.chain})` : ''}. The key above is shown once: store it in your agent's provider config.`,
        );
      });
    });

  clients
    .command('list')
    .description('clients with key prefix and default chain (never the keys)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withStore(io, g(), async (store) => {
        const list = (await store.listClients()).map(viewClient);
        if (o.json) return printJson(io, list);
        if (list.length === 0) return io.out(`no clients yet; add one with: ${invokedAs()} clients add NAME`);
        io.out(
          formatTable(
            ['CLIENT', 'KEY', 'CHAIN', 'CREATED'],
            list.map((c) => [
              c.name,
              `${c.keyPrefix}…`,
              c.chain ?? '(default)',
              new Date(c.createdAt).toISOString(),
            ]),
          ),
        );
      });
    });

  clients
    .command('rm <name>')
    .description('revoke a client key')
    .option('--yes', 'do not ask for confirmation')
    .action(async (name: string, o: { yes?: boolean }) => {
      await withStore(io, g(), async (store) => {
        if (!(await store.listClients()).some((c) => c.name === name))
          throw new ClawkeepError('usage', `no client ${name}; see: ${invokedAs()} clients list`);
        const sure = await confirmOrYes(io, {
          yes: o.yes,
          what: `revoking client ${name}`,
          question: `Revoke client ${name}? Agents using its key stop working.`,
        });
        if (!sure) return io.out(`nothing revoked; client ${name} is kept`);
        await revokeClient(store, name);
        io.out(`client ${name} revoked`);
      });
    });
}
