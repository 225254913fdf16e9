import type { Command } from 'commander';
import { loadConfig } from '../../config/schema.js';
import { INSECURE_REMOTE_ENV, remoteRefusal } from '../../dashboard/remote.js';
import { mintSignInToken } from '../../dashboard/signin.js';
import { ClawkeepError } from '../../errors.js';
import { readRunning } from '../../runtime/pidfile.js';
import { startGatewayInBackground } from '../../serve/start-background.js';
import { resolveHome } from '../../store/home.js';
import { invokedAs } from '../../util/invoked-as.js';
import { hasBrowser, openInBrowser } from '../browser.js';
import { CLI_PATH } from '../cli-path.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../output.js';

export function registerDashboard(program: Command, io: Io): void {
  program
    .command('dashboard')
    .description(
      "open the web dashboard on the gateway's address (starts the gateway if needed) with a one-time sign-in link",
    )
    .option('--no-browser', 'only print the sign-in link')
    .option('--insecure-remote', 'allow a gateway bound to a non-loopback address (only behind a TLS proxy)')
    .action(async (o: { browser: boolean; insecureRemote?: boolean }) => {
      const g = program.opts<GlobalOptions>();
      const home = resolveHome(g.home);
      const { config } = loadConfig(home);
      if (o.insecureRemote) process.env[INSECURE_REMOTE_ENV] = '1';
      const refusal = remoteRefusal(config.gateway.host, process.env);
      if (refusal) throw refusal;
      let running = readRunning(home);
      if (!running) {
        // It outlives this command, so the user is told it runs and how to stop it.
        const started = await startGatewayInBackground({ home, cli: CLI_PATH, listen: {} });
        io.err(
          `no gateway was running on this home: started one in the background (pid ${started.pid}, port ${new URL(started.url).port}, home ${home}); it keeps running after this command`,
        );
        io.err(`  stop it: ${invokedAs()} gateway stop   (log: ${started.logPath})`);
        running = started;
      }
      const probe = await fetch(`${running.url}/ui/`, { signal: AbortSignal.timeout(5000) }).catch(
        () => null,
      );
      if (probe?.status === 403) {
        throw new ClawkeepError(
          'usage',
          `the gateway (pid ${running.pid}) refuses the dashboard on its non-loopback address: restart it with ${INSECURE_REMOTE_ENV}=1 (${invokedAs()} gateway stop, then ${invokedAs()} dashboard --insecure-remote)`,
        );
      }
      if (probe?.status !== 401) {
        throw new ClawkeepError(
          'gateway_not_running',
          `the gateway on ${running.url} (pid ${running.pid}) does not serve the dashboard${probe ? ` (HTTP ${probe.status} on /ui/)` : ''}; restart it: ${invokedAs()} gateway restart`,
        );
      }
      const link = `${running.url}/ui/signin?token=${mintSignInToken(home)}`;
      io.out(link);
      io.err('Open the link above to sign in to the dashboard. It works once, within 5 minutes.');
      if (o.browser && hasBrowser()) openInBrowser(link);
    });
}
