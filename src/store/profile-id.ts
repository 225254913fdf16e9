import { ClawkeepError } from '../errors.js';
import { invokedAs } from '../util/invoked-as.js';

const PART = /^[a-z0-9][a-z0-9._-]*$/i;

/** Splits `<provider>:<name>`; throws `profile_invalid` naming the bad id and the expected form. */
export function parseProfileId(id: string): { provider: string; name: string } {
  const at = id.indexOf(':');
  const provider = at > 0 ? id.slice(0, at) : '';
  const name = at > 0 ? id.slice(at + 1) : '';
  if (!PART.test(provider) || !PART.test(name)) {
    throw new ClawkeepError(
      'profile_invalid',
      `profile id "${id}" is not of the form <provider>:<name> (letters, digits, . _ -), e.g. openai-codex:default`,
      { details: { id } },
    );
  }
  return { provider, name };
}

export function formatProfileId(provider: string, name: string): string {
  const id = `${provider}:${name}`;
  parseProfileId(id);
  return id;
}

/** The one "no such profile" error, with the command that lists what exists. */
export function profileNotFound(id: string): ClawkeepError {
  return new ClawkeepError('profile_not_found', `no profile ${id}; see: ${invokedAs()} profiles list`, {
    details: { profileId: id },
  });
}
