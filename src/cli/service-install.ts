import { existsSync, mkdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { writeNewPrivateFile } from '../util/files.js';
import type { Io } from './output.js';

/** The unit text for each service manager; the caller picks its own generator. */
export interface ServiceTexts {
  name: string;
  systemd: () => string;
  launchd: () => string;
}

/**
 * `<command> install [--write]`: prints the unit (systemd user unit, or a launchd plist on macOS) with
 * where to save it and how to enable it; with `write`, writes it (an existing file is never replaced:
 * a new name is used).
 */
export function installService(io: Io, t: ServiceTexts, write: boolean): void {
  const mac = platform() === 'darwin';
  const text = mac ? t.launchd() : t.systemd();
  const target = mac
    ? join(homedir(), `Library/LaunchAgents/dev.clawkeep.${t.name}.plist`)
    : join(homedir(), `.config/systemd/user/clawkeep-${t.name}.service`);
  const enable = (path: string) =>
    mac
      ? `launchctl load ${path}`
      : `systemctl --user daemon-reload && systemctl --user enable --now clawkeep-${t.name}`;
  if (!write) {
    io.out(text);
    io.err(`# save as ${target}, then: ${enable(target)}`);
    return;
  }
  const path = existsSync(target) ? `${target}.${Date.now()}` : target;
  mkdirSync(dirname(path), { recursive: true });
  writeNewPrivateFile(path, text);
  io.out(`wrote ${path}; now: ${enable(path)}`);
}
