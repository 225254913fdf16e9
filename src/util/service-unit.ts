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

/** A systemd user unit that runs the command in the foreground and restarts it on failure. */
export function systemdUnitFor(s: ServiceSpec): string {
  return `[Unit]
Description=${s.description}
After=network-online.target

[Service]
Type=simple
Environment=CLAWKEEP_HOME=${s.home}
ExecStart=${[s.node, s.cli, ...s.args].map(systemdQuote).join(' ')}
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
  <key>Label</key><string>dev.clawkeep.${s.name}</string>
  <key>ProgramArguments</key>
  <array>${args}</array>
  <key>EnvironmentVariables</key><dict><key>CLAWKEEP_HOME</key><string>${xml(s.home)}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
  <key>StandardOutPath</key><string>${xml(s.home)}/${s.name}.log</string>
  <key>StandardErrorPath</key><string>${xml(s.home)}/${s.name}.log</string>
</dict>
</plist>
`;
}

function systemdQuote(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`;
}

function xml(a: string): string {
  return a.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
