import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { replaceFileAtomicallySync, writeBackupFile } from '../util/files.js';

/** A clawkeep subcommand kept running by the user's service manager (systemd user unit, launchd agent). */
export interface ServiceSpec {
  /** `gateway`, `watch`: names the unit (`clawkeep-<name>.service`) and the launchd label. */
  name: string;
  description: string;
  node: string;
  cli: string;
  home: string;
  /** Arguments after `clawkeep` (`['watch', '--openclaw-home', dir]`). */
  args: string[];
}

/**
 * A systemd user unit that runs the command in the foreground and restarts it on failure. It orders
 * on nothing: a user manager has no network-online.target (that is a system unit it cannot see), and
 * ordering after default.target, which wants this unit, would be a cycle. A gateway on loopback needs no
 * network; an upstream that is not reachable yet is a fallback, not a failure to start.
 */
export function systemdUnitFor(s: ServiceSpec): string {
  return `[Unit]
Description=${systemdEscape(s.description)}

[Service]
Type=simple
Environment=${systemdQuote(`CLAWKEEP_HOME=${s.home}`)}
ExecStart=${[s.node, s.cli, ...s.args].map((a) => systemdQuote(a, true)).join(' ')}
Restart=on-failure
RestartSec=2
TimeoutStopSec=30
KillSignal=SIGTERM

[Install]
WantedBy=default.target
`;
}

/** A launchd agent plist (macOS) doing the same. */
export function launchdPlistFor(s: ServiceSpec): string {
  const args = [s.node, s.cli, ...s.args].map((a) => `<string>${xml(a)}</string>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.clawkeep.${xml(s.name)}</string>
  <key>ProgramArguments</key>
  <array>${args}</array>
  <key>EnvironmentVariables</key><dict><key>CLAWKEEP_HOME</key><string>${xml(s.home)}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
  <key>StandardOutPath</key><string>${xml(`${s.home}/${s.name}.log`)}</string>
  <key>StandardErrorPath</key><string>${xml(`${s.home}/${s.name}.log`)}</string>
</dict>
</plist>
`;
}

/** `%` starts a systemd specifier (`%h`) in every setting: a literal one is `%%`. */
function systemdEscape(value: string): string {
  return value.replace(/%/g, '%%');
}

/**
 * One word of a systemd setting (systemd.syntax(7)): bare when plain, else double-quoted with `\`
 * and `"` escaped. In a command line `$` expands a variable too: a literal one is `$$`.
 */
function systemdQuote(word: string, command = false): string {
  let w = systemdEscape(word);
  if (command) w = w.replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`;
}

function xml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface InstallResult {
  path: string;
  status: 'created' | 'updated' | 'unchanged';
  /** Where the previous content was kept (0600), when it was replaced. */
  backup: string | null;
}

/**
 * Writes the unit to its one fixed path: created when missing, left alone when identical, else
 * replaced atomically after a backup of the previous content (`<path>.<epochMs>.bak`).
 */
export function installServiceUnit(path: string, text: string, now = Date.now()): InstallResult {
  let previous: string | null = null;
  try {
    previous = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (previous === text) return { path, status: 'unchanged', backup: null };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const backup = previous === null ? null : writeBackupFile(path, now, previous);
  replaceFileAtomicallySync(path, text, 0o644);
  return { path, status: previous === null ? 'created' : 'updated', backup };
}
