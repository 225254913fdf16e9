import { ClawkeepError } from '../errors.js';

/** Reads a required string field of a token-endpoint answer, naming it when absent. */
export function requireString(body: Record<string, unknown>, field: string, provider: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new ClawkeepError('upstream_error', `${provider} token endpoint answered without "${field}"`, {
      details: { provider, field },
    });
  }
  return v;
}

export function optionalNumber(body: Record<string, unknown>, field: string): number | null {
  const v = body[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
