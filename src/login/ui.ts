import type { ProviderDescriptor } from '../providers/types.js';
import type { DeviceStart } from './device.js';

/** How a login talks to the person running it; the CLI implements it, tests script it. */
export interface LoginUi {
  /** Called once with the authorize URL, which is always shown (browsers fail to open on remote hosts). */
  showAuthorizeUrl(url: string, info: { callback: string | null }): void;
  showDevice(start: DeviceStart): void;
  openBrowser(url: string): void;
  /** Starts a spinner (or prints a line when there is no terminal). */
  waiting(text: string): { stop(): void };
  warn(text: string): void;
  /**
   * Calls `onLine` for each line the user pastes, `onEnd` when input ends; returns an unsubscribe.
   * `cancelled` is true when a person ended it (Ctrl-D on a terminal): the login stops then, while a
   * closed pipe only ends the paste prompt and the browser callback is still awaited.
   */
  listenForPaste(onLine: (line: string) => void, onEnd: (cancelled: boolean) => void): () => void;
}

export interface LoginOptions {
  provider: ProviderDescriptor;
  timeoutMs: number;
  openBrowser: boolean;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}
