import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { replaceFileAtomicallySync, writeBackupFile } from '../util/files.js';

/** A systemd user unit that runs the gateway in the foreground and restarts it on failure. */
export function systemdUnit(o: { node: string; cli: string; home: string }): string {
  return `[Unit]
Description=clawkeep gateway (model-provider credentials for AI agents)
After=network-online.target

[Service]
Type=simple
Environment=CLAWKEEP_HOME=${o.home}
ExecStart=${o.node} ${o.cli} gateway run
Restart=on-failure
RestartSec=2
TimeoutStopSec=30
KillSignal=SIGTERM

[Install]
WantedBy=default.target
`;
}

/** A launchd agent plist (macOS) doing the same. */
export function launchdPlist(o: { node: string; cli: string; home: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.clawkeep.gateway</string>
  <key>ProgramArguments</key>
  <array><string>${o.node}</string><string>${o.cli}</string><string>gateway</string><string>run</string></array>
  <key>EnvironmentVariables</key><dict><key>CLAWKEEP_HOME</key><string>${o.home}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
  <key>StandardOutPath</key><string>${o.home}/gateway.log</string>
  <key>StandardErrorPath</key><string>${o.home}/gateway.log</string>
</dict>
</plist>
`;
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
