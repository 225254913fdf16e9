import type { Command } from 'commander';
import { isClawkeepError } from '../../errors.js';
import { loadConfig } from '../../gateway/config.js';
import { chainsOf } from '../../gateway/routing.js';
import { resolveHome } from '../../store/home.js';
import type { GlobalOptions } from '../context.js';
import { type Io, printJson } from '../output.js';

export function registerConfig(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('config')
    .description('the gateway configuration (<home>/config.yaml)')
    .command('check')
    .description(
      'validate the config; every error names the key path and the expected value (exit 1 if invalid)',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const home = resolveHome(program.opts<GlobalOptions>().home);
      try {
        const { config, file } = loadConfig(home);
        const chains = chainsOf(config);
        const summary = {
          valid: true,
          file,
          listen: `${config.gateway.host}:${config.gateway.port}`,
          chains,
          defaultChain: config.defaultChain ?? null,
        };
        if (o.json) return printJson(io, summary);
        io.out(`✓ ${file ?? 'no config file: embedded defaults'} is valid; gateway on ${summary.listen}`);
        for (const [name, targets] of Object.entries(chains)) {
          io.out(
            `  chain ${name}: ${targets.map((t) => (typeof t === 'string' ? t : t.target)).join(' -> ')}`,
          );
        }
      } catch (err) {
        if (!isClawkeepError(err, 'config_invalid')) throw err;
        setExit(1);
        if (o.json) return printJson(io, { valid: false, error: err.toJSON() });
        io.out(`✗ ${err.message}`);
      }
    });
}
