import type { Command } from 'commander';
import { checkConfig } from '../../gateway/config-check.js';
import { resolveHome } from '../../store/home.js';
import { type GlobalOptions, withStore } from '../context.js';
import { type Io, printJson } from '../output.js';
import { errorBody } from '../report-error.js';

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
      const r = await checkConfig(resolveHome(g.home), (fn) => withStore(io, g, fn));
      if (!r.loaded || !r.valid) setExit(1);
      if (!r.loaded) {
        if (o.json) return printJson(io, { valid: false, error: errorBody(r.error) });
        return io.out(`✗ ${r.error.message}`);
      }
      const { config, file, chains, issues } = r;
      const where = file ?? 'embedded defaults';
      if (o.json) {
        return printJson(io, {
          valid: r.valid,
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
      if (!r.storeChecked) io.out('  (no store yet: profile names were not checked)');
      for (const [name, targets] of Object.entries(chains)) {
        io.out(`  chain ${name}: ${targets.map((t) => (typeof t === 'string' ? t : t.target)).join(' -> ')}`);
      }
    });
}
