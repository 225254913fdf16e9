import type { Command } from 'commander';
import { formatReport, runDoctor } from '../../doctor/index.js';
import { ClawkeepError } from '../../errors.js';
import { locateOpenClawHomes } from '../../openclaw/locate.js';
import { resolveHome } from '../../store/home.js';
import { invokedAs } from '../../util/invoked-as.js';
import type { GlobalOptions } from '../context.js';
import { type Io, printJson } from '../output.js';

interface DoctorFlags {
  openclawHome?: string[];
  agent?: string;
  json?: boolean;
  fix?: boolean;
  dryRun?: boolean;
}

export function registerDoctor(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description(
      'diagnose (and with --fix repair) clawkeep and OpenClaw credential stores; exit 0 healthy, 1 findings, 2 could not run',
    )
    .option(
      '--openclaw-home <dir>',
      'OpenClaw state dir (repeatable; default $OPENCLAW_STATE_DIR, ~/.openclaw, ~/.clawdbot)',
      collect,
    )
    .option('--agent <id>', 'only this OpenClaw agent')
    .option('--json', 'machine-readable output')
    .option('--fix', 'apply the repairs, then diagnose again')
    .option('--dry-run', 'with --fix: show the repairs without applying them')
    .action(async (o: DoctorFlags) => {
      const g = program.opts<GlobalOptions>();
      if (o.dryRun && !o.fix) {
        throw new ClawkeepError(
          'usage',
          '--dry-run only goes with --fix: a diagnosis never changes anything',
          {
            hint: `${invokedAs()} doctor --fix --dry-run`,
          },
        );
      }
      const report = await runDoctor({
        clawkeepHome: resolveHome(g.home),
        openclawHomes: locateOpenClawHomes(o.openclawHome ? { explicit: o.openclawHome } : {}),
        explicitHomes: Boolean(o.openclawHome?.length),
        ...(o.agent === undefined ? {} : { agentId: o.agent }),
        fix: Boolean(o.fix),
        dryRun: Boolean(o.dryRun),
        command: invokedAs(),
      });
      setExit(report.exitCode);
      if (o.json) printJson(io, report);
      else io.out(formatReport(report));
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
