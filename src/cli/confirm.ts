import { confirm } from '@inquirer/prompts';
import { ClawkeepError } from '../errors.js';
import type { Io } from './output.js';

/**
 * A destructive step asks on a terminal and needs `--yes` anywhere else.
 * Returns false when the user declined (the caller says nothing was done).
 */
export async function confirmOrYes(
  io: Io,
  o: { yes?: boolean; question: string; what: string },
): Promise<boolean> {
  if (o.yes) return true;
  if (!io.isTTY) {
    throw new ClawkeepError('usage', `${o.what} needs --yes (there is no terminal to ask on)`, {
      hint: 'add --yes to confirm',
    });
  }
  return confirm({ message: o.question, default: false }, { input: io.stdin });
}
