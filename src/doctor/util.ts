import type { OpenClawProfile } from '../openclaw/types.js';
import { fingerprint } from '../util/fingerprint.js';
import { quoteArg } from '../util/invoked-as.js';
import type { AgentView, DoctorContext, Finding } from './types.js';

/** The fingerprint that identifies a copy: its refresh token, else access token or key. */
export function tokenFp(p: OpenClawProfile | null | undefined): string {
  return fingerprint(p?.refresh ?? p?.access ?? p?.secret ?? null);
}

/** The repair command for a finding: same selection (`--openclaw-home`, `--agent`) as the diagnosis. */
export function fixCommand(ctx: DoctorContext, home?: string): string {
  const agent = ctx.agentId === undefined ? '' : ` --agent ${quoteArg(ctx.agentId)}`;
  return `${ctx.command} doctor --fix${home ? ` --openclaw-home ${quoteArg(home)}` : ''}${agent}`;
}

/** The agent view a finding names, read fresh (fixes never trust what diagnosis saw). */
export function findView(ctx: DoctorContext, f: Finding): AgentView | null {
  return f.home && f.agentId ? ctx.freshAgent(f.home, f.agentId) : null;
}
