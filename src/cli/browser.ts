/** False on headless hosts and in CI, where opening a browser cannot work or must not happen. */
export function hasBrowser(env = process.env): boolean {
  if (env.CI || env.CLAWKEEP_NO_BROWSER) return false;
  if (process.platform === 'linux') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return !(env.SSH_CONNECTION || env.SSH_TTY);
}

/** Opens `url` in the user's browser, best effort: the URL is always printed as well. */
export function openInBrowser(url: string): void {
  import('open')
    .then(({ default: open }) => open(url))
    .then((child) => child.on('error', () => {}))
    .catch(() => {});
}
