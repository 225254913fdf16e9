import type { Command } from 'commander';
import pc from 'picocolors';
import {
  type ConnectRequest,
  connectAgent,
  disconnectAgent,
  previewAgent,
} from '../../clients/connect-agent.js';
import { type ClientApi, CONNECT_CLIENT_IDS, connectorFor } from '../../clients/index.js';
import { ClawkeepError } from '../../errors.js';
import { mayServe, subscriptionRule } from '../../providers/serving-policy.js';
import { resolveHome } from '../../store/home.js';
import { invokedAs, quoteArg } from '../../util/invoked-as.js';
import { type GlobalOptions, withStore } from '../context.js';
import type { Io } from '../output.js';

interface ConnectFlags {
  print?: boolean;
  undo?: boolean;
  config?: string;
  api?: string;
  model?: string;
  chain?: string;
  limits?: boolean;
}

const APIS: readonly ClientApi[] = ['chat', 'responses', 'messages'];

export function registerConnect(program: Command, io: Io): void {
  program
    .command('connect <client>')
    .description(
      `point an agent at the gateway: creates a client key and writes its config (${CONNECT_CLIENT_IDS.join(', ')})`,
    )
    .option('--print', 'preview the settings to add by hand: creates no key and writes nothing')
    .option('--undo', 'restore the config as it was before connect and revoke its client key')
    .option('--config <path>', "the client's config file (default: where the client looks for it)")
    .option('--api <api>', 'wire API for clients that speak several: chat, responses or messages')
    .option(
      '--model <name>',
      'model the client asks for (default: its own default, or "default" = its chain)',
    )
    .option('--chain <chain>', "the client key's default chain")
    .option(
      '--limits',
      "codex: also send Codex's /status limits reads to the gateway (sets chatgpt_base_url; Codex Cloud and remote plugins then stop working)",
    )
    .action(async (id: string, o: ConnectFlags) => {
      connectorFor(id); // an unknown client is named before anything else
      if (o.undo && o.print) throw new ClawkeepError('usage', '--undo and --print do not go together');
      if (o.api !== undefined && !APIS.includes(o.api as ClientApi)) {
        throw new ClawkeepError('usage', `--api ${o.api}: use one of ${APIS.join(', ')}`);
      }
      const request: ConnectRequest = {
        client: id,
        ...(o.config ? { configPath: o.config } : {}),
        ...(o.api ? { api: o.api as ClientApi } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.chain !== undefined ? { chain: o.chain } : {}),
        ...(o.limits ? { limits: true } : {}),
      };
      if (o.print) {
        // A preview opens no store: it must not create a key, a file or even the home.
        const { connector, preview } = previewAgent(resolveHome(program.opts<GlobalOptions>().home), request);
        io.out(preview.snippet.trimEnd());
        io.err('preview: no client key was created and no file was written.');
        io.err(
          `  apply it: ${invokedAs()} connect ${connector.id}${replayFlags(o)}   (creates the key, writes ${preview.path})`,
        );
        io.err(
          `  or by hand: merge the settings above into ${preview.path}, with a key in place of ${preview.keyPlaceholder}`,
        );
        return;
      }
      await withStore(io, program.opts<GlobalOptions>(), async (store, home) => {
        if (o.undo) {
          const { connector, result: r } = await disconnectAgent(store, home, id);
          const how = {
            restored: `restored ${r.path} as it was before connect`,
            reverted: `removed clawkeep's settings from ${r.path} (edited since connect; its state before this undo is kept as ${r.backup})`,
            'moved-aside': `${r.path} was created by connect: moved aside to ${r.backup}`,
            missing: `${r.path} no longer exists; nothing to restore`,
          }[r.action];
          io.out(`${pc.green('✓')} ${connector.title}: ${how}`);
          if (r.kept.length > 0) io.err(`note: left as you changed them: ${r.kept.join(', ')}`);
          io.out(r.revoked ? `client ${r.clientName} revoked` : `client ${r.clientName} was already gone`);
          return;
        }
        const { connector, gatewayUrl, result: r } = await connectAgent(store, home, request);
        io.out(`${pc.green('✓')} ${connector.title} → ${gatewayUrl} with client ${r.clientName}`);
        io.out(
          `  wrote ${r.path} (0600)${r.backup ? `; the previous file is kept as ${r.backup}` : ' (new file)'}`,
        );
        io.out(`  ${connector.usage(o.model ?? 'default')}`);
        io.out(`  undo: ${invokedAs()} connect ${connector.id} --undo`);
        io.out(`  the gateway must be running: ${invokedAs()} gateway run (or gateway install)`);
        // The serving policy: say which subscription logins this agent will not be given.
        const client = { name: r.clientName, kind: connector.id, subscriptionOptIn: false };
        for (const p of await store.listProfiles()) {
          const rule = subscriptionRule(p);
          if (rule && !mayServe(p, client)) {
            io.err(
              `note: ${p.id} is a ${rule.title} login and serves ${rule.clientKinds.join(', ')} alone (${rule.terms}); ${connector.title} gets your other logins. See docs/gateway.md, "Who may use a login".`,
            );
          }
        }
      });
    });
}

/** The flags of this run that shape the settings, to repeat in the command that applies a preview. */
function replayFlags(o: ConnectFlags): string {
  const pairs: Array<[string, string | undefined]> = [
    ['--config', o.config],
    ['--api', o.api],
    ['--model', o.model],
    ['--chain', o.chain],
  ];
  const valued = pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([flag, value]) => ` ${flag} ${quoteArg(value)}`)
    .join('');
  return `${valued}${o.limits ? ' --limits' : ''}`;
}
