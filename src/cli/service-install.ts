import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { installServiceUnit } from '../runtime/service-unit.js';
import type { Io } from './output.js';

/** The unit text for each service manager; the caller picks its own generator. */
export interface ServiceTexts {
  name: string;
  systemd: () => string;
  launchd: () => string;
}

/**
 * `<command> install [--write]`: prints the unit (systemd user unit, or a launchd plist on macOS) with
 * where to save it and how to enable it; with `write`, writes it or updates it in place, saying which.
 */
export function installService(io: Io, t: ServiceTexts, write: boolean): void {
  const mac = platform() === 'darwin';
  const text = mac ? t.launchd() : t.systemd();
  const target = mac
    ? join(homedir(), `Library/LaunchAgents/dev.clawkeep.${t.name}.plist`)
    : join(homedir(), `.config/systemd/user/clawkeep-${t.name}.service`);
  const enable = mac
    ? `launchctl load ${target}`
    : `systemctl --user daemon-reload && systemctl --user enable --now clawkeep-${t.name}`;
  const reload = mac
    ? `launchctl unload ${target} && launchctl load ${target}`
    : `systemctl --user daemon-reload && systemctl --user restart clawkeep-${t.name}`;
  if (!write) {
    io.out(text);
    io.err(`# save as ${target}, then: ${enable}`);
    return;
  }
  // The same unit is updated in place (the old one kept as a 0600 backup), never a second one beside it.
  const r = installServiceUnit(target, text);
  if (r.status === 'unchanged') io.out(`${target} is up to date; nothing changed`);
  else if (r.status === 'created') io.out(`wrote ${target}; now: ${enable}`);
  else io.out(`updated ${target} (previous version kept as ${r.backup}); now: ${reload}`);
}
