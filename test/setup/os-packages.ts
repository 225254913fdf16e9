import { spawnSync } from 'node:child_process';

const isRoot = (): boolean => process.getuid?.() === 0;

function hasAptGet(): boolean {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs Debian packages the OS lacks, when it can: as root with apt-get. Returns whether it
 * installed them; otherwise the caller names the packages in its error.
 */
export function aptInstall(packages: string[], why: string, log: (line: string) => void): boolean {
  if (!isRoot() || !hasAptGet()) return false;
  log(`${why}: apt-get install -y ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
  return update.status === 0 && install.status === 0;
}
