import { createInterface } from 'node:readline';
import { createSpinner } from 'nanospinner';
import type { DeviceStart, LoginUi } from '../login/index.js';
import { openInBrowser } from './browser.js';
import type { Io } from './output.js';

/** The login's conversation on a terminal: URLs and codes on stdout, the spinner on stderr, pastes from stdin. */
export function createCliLoginUi(io: Io): LoginUi {
  return {
    showAuthorizeUrl(url, info) {
      io.out(`Open this URL to sign in:\n\n  ${url}\n`);
      io.out(
        info.callback
          ? `Waiting for the browser to return to ${info.callback}. On another machine? Paste the address the browser ends on (or the code) here.`
          : 'Paste the address the browser ends on (or the code shown) here.',
      );
    },
    showDevice(d: DeviceStart) {
      io.out(`Open ${d.verificationUri} and enter the code:\n\n  ${d.userCode}\n`);
      if (d.verificationUriComplete) io.out(`(or open ${d.verificationUriComplete})`);
    },
    openBrowser(url) {
      openInBrowser(url);
    },
    waiting(text) {
      // nanospinner 1.2 loops forever computing line wraps on a 0-column terminal: no spinner there.
      if (!process.stderr.isTTY || !(process.stderr.columns > 0)) {
        io.err(`${text}…`);
        return { stop: () => {} };
      }
      const spinner = createSpinner(text, { stream: process.stderr }).start();
      return { stop: () => spinner.isSpinning() && spinner.clear().stop() };
    },
    warn(text) {
      io.err(`warning: ${text}`);
    },
    listenForPaste(onLine, onEnd) {
      const rl = createInterface({ input: io.stdin, terminal: false });
      let open = true;
      rl.on('line', (line) => open && onLine(line));
      rl.on('close', () => open && onEnd(io.isTTY));
      return () => {
        if (!open) return;
        open = false;
        rl.close();
        io.stdin.pause();
        // A pipe left open by the caller must not keep the process alive once the login is done.
        (io.stdin as { unref?: () => void }).unref?.();
      };
    },
  };
}
