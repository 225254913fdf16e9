import type { Command } from 'commander';
import {
  addClient,
  revokeClient,
  setClientPolicy,
  subscriptionLoginsFor,
  viewClient,
} from '../../clients/keys.js';
import { CONNECT_CLIENT_IDS } from '../../clients/types.js';
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
    .option(
      '--kind <kind>',
      `the agent that holds the key: ${CONNECT_CLIENT_IDS.join(', ')} (connect sets it)`,
    )
    .option(
      '--subscription',
      "opt in to subscription logins kept to their vendor's own apps (see docs/gateway.md)",
    )
    .action(async (name: string, o: { chain?: string; kind?: string; subscription?: boolean }) => {
      await withStore(io, g(), async (store, home) => {
        const policy = { kind: o.kind ?? null, subscriptionOptIn: o.subscription === true };
        const { key } = await addClient(store, loadConfig(home).config, name, o.chain ?? null, policy);
        io.out(key);
        io.err(
          `client ${name} created${o.chain ? ` (chain ${o.chain})` : ''}${o.kind ? ` (kind ${o.kind})` : ''}. The key above is shown once: store it in your agent's provider config.`,
        );
        if (policy.subscriptionOptIn) io.err(subscriptionWarning(name));
      });
    });

  clients
    .command('set <name>')
    .description("change a client's kind or its opt-in to subscription logins")
    .option('--kind <kind>', `the agent that holds the key: ${CONNECT_CLIENT_IDS.join(', ')}`)
    .option('--no-kind', 'the key is held by no known agent')
    .option('--subscription', "opt in to subscription logins kept to their vendor's own apps")
    .option('--no-subscription', 'withdraw that opt-in')
    .action(async (name: string, o: { kind?: string | false; subscription?: boolean }) => {
      const patch = {
        ...(o.kind !== undefined ? { kind: o.kind === false ? null : o.kind } : {}),
        ...(o.subscription !== undefined ? { subscriptionOptIn: o.subscription } : {}),
      };
      if (Object.keys(patch).length === 0)
        throw new ClawkeepError(
          'usage',
          'clients set: give --kind, --no-kind, --subscription or --no-subscription',
        );
      await withStore(io, g(), async (store) => {
        const c = await setClientPolicy(store, name, patch);
        io.out(
          `client ${c.name}: kind ${c.kind ?? '(none)'}, subscription opt-in ${c.subscriptionOptIn ? 'yes' : 'no'}`,
        );
        if (patch.subscriptionOptIn) io.err(subscriptionWarning(name));
      });
    });

  clients
    .command('list')
    .description(
      'clients with key prefix, default chain, kind and the subscription logins each may use (never the keys)',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withStore(io, g(), async (store) => {
        const profiles = await store.listProfiles();
        const list = (await store.listClients()).map((c) => ({
          ...viewClient(c),
          subscriptionLogins: subscriptionLoginsFor(c, profiles),
        }));
        if (o.json) return printJson(io, list);
        if (list.length === 0) return io.out(`no clients yet; add one with: ${invokedAs()} clients add NAME`);
        io.out(
          formatTable(
            ['CLIENT', 'KEY', 'CHAIN', 'KIND', 'SUBSCRIPTION LOGINS', 'CREATED'],
            list.map((c) => [
              c.name,
              `${c.keyPrefix}…`,
              c.chain ?? '(default)',
              c.kind ?? '-',
              c.subscriptionLogins.join(', ') || '-',
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

function subscriptionWarning(name: string): string {
  return `warning: client ${name} may now use subscription logins whose terms keep them to their vendor's own apps (a Claude subscription serves Claude Code alone); the risk is yours. Undo: ${invokedAs()} clients set ${name} --no-subscription`;
}
