import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type ConfigIssue, checkConfigReferences, type StoreFacts } from '../../config/references.js';
import { isClawkeepError } from '../../errors.js';
import { loadConfig } from '../../gateway/config.js';
import { chainsOf } from '../../gateway/routing.js';
import { resolveHome } from '../../store/home.js';
import { STORE_FILE } from '../../store/open-store.js';
import { type GlobalOptions, withStore } from '../context.js';
import { type Io, printJson } from '../output.js';

export function registerConfig(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('config')
    .description('the gateway configuration (<home>/config.yaml)')
    .command('check')
    .description(
      'validate the config and what it names (providers, profiles, chains); every error names the key path (exit 1 if invalid)',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const g = program.opts<GlobalOptions>();
      const home = resolveHome(g.home);
      let loaded: ReturnType<typeof loadConfig>;
      try {
        loaded = loadConfig(home);
      } catch (err) {
        if (!isClawkeepError(err, 'config_invalid')) throw err;
        setExit(1);
        if (o.json) return printJson(io, { valid: false, error: err.toJSON() });
        return io.out(`✗ ${err.message}`);
      }
      const { config, file } = loaded;
      const facts: StoreFacts | null = existsSync(join(home, STORE_FILE))
        ? await withStore(io, g, async (store) => ({
            profiles: (await store.listProfiles()).map((p) => p.id),
            clients: (await store.listClients()).map((c) => ({ name: c.name, chain: c.chain })),
          }))
        : null;
      const issues: ConfigIssue[] = checkConfigReferences(config, facts);
      const chains = chainsOf(config);
      const where = file ?? 'embedded defaults';
      if (issues.length > 0) setExit(1);
      if (o.json) {
        return printJson(io, {
          valid: issues.length === 0,
          file,
          listen: `${config.gateway.host}:${config.gateway.port}`,
          chains,
          defaultChain: config.defaultChain ?? null,
          issues,
        });
      }
      if (issues.length > 0) {
        io.out(`✗ ${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
        for (const i of issues) io.out(`  ${i.path}: ${i.message}`);
        return;
      }
      io.out(
        `✓ ${file ?? 'no config file: embedded defaults'} is valid; gateway on ${config.gateway.host}:${config.gateway.port}`,
      );
      if (!facts) io.out('  (no store yet: profile names were not checked)');
      for (const [name, targets] of Object.entries(chains)) {
        io.out(`  chain ${name}: ${targets.map((t) => (typeof t === 'string' ? t : t.target)).join(' -> ')}`);
      }
    });
}
