import { readEnvVar } from '../config/env.js';
/** False on headless hosts and in CI, where opening a browser cannot work or must not happen. */
export function hasBrowser(env = process.env): boolean {
  const e = (
    name: 'CI' | 'CLAWKEEP_NO_BROWSER' | 'DISPLAY' | 'WAYLAND_DISPLAY' | 'SSH_CONNECTION' | 'SSH_TTY',
  ) => Boolean(readEnvVar(name, env));
  if (e('CI') || e('CLAWKEEP_NO_BROWSER')) return false;
  if (process.platform === 'linux') return e('DISPLAY') || e('WAYLAND_DISPLAY');
  return !(e('SSH_CONNECTION') || e('SSH_TTY'));
}

/** Opens `url` in the user's browser, best effort: the URL is always printed as well. */
export function openInBrowser(url: string): void {
  import('open')
    .then(({ default: open }) => open(url))
    .then((child) => child.on('error', () => {}))
    .catch(() => {});
}
