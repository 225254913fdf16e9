import { checkConfigWith } from '../../gateway/config-check.js';
import type { StoreFacts } from '../../gateway/config-references.js';
import type { Check, DoctorContext, Finding } from '../types.js';

/**
 * clawkeep's own gateway config (`<home>/config.yaml`, or `$CLAWKEEP_CONFIG`): the checks of
 * `clawkeep config check`, so a config that keeps the gateway from starting (or names a provider,
 * profile or chain that is not there) is a finding, not a silent pass. Never repaired: a person edits it.
 */
export const clawkeepConfigCheck: Check = {
  id: 'clawkeep-config',
  title: "clawkeep's gateway config",
  async run(ctx) {
    const r = await checkConfigWith(ctx.clawkeepHome, () => storeFacts(ctx));
    const base = { check: this.id, severity: 'error' as const };
    const recheck = `${ctx.command} config check`;
    if (!r.loaded) {
      const details = (r.error as { details?: { file?: string | null; issues?: ConfigIssueLike[] } }).details;
      const file = details?.file ?? null;
      // Key paths and what was expected; never the file's text (a parser's excerpt could hold a secret).
      const what = details?.issues?.length
        ? details.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')
        : r.error.message.split('\n')[0]!;
      return [
        {
          ...base,
          code: 'config_invalid',
          ...(file ? { path: file } : {}),
          message: `${details?.issues?.length ? `${file ?? 'embedded defaults + environment'} is invalid: ` : ''}${what}; the gateway will not start with it`,
          next: file ? `edit ${file}, then: ${recheck}` : recheck,
        },
      ];
    }
    const where = r.file ?? 'embedded defaults + environment';
    return r.issues.map(
      (i): Finding => ({
        ...base,
        code: 'config_reference',
        ...(r.file ? { path: r.file } : {}),
        message: `${where}: ${i.path}: ${i.message}`,
        next: r.file ? `edit ${r.file}, then: ${recheck}` : recheck,
      }),
    );
  },
};

interface ConfigIssueLike {
  path: string;
  message: string;
}

/** Profiles and clients of the home's SQLite store, as the doctor already read it; null without one. */
function storeFacts(ctx: DoctorContext): StoreFacts | null {
  const s = ctx.clawkeepStore();
  if (s.kind !== 'ok' || !s.inspection.profiles || !s.inspection.clients) return null;
  return { profiles: s.inspection.profiles.map((p) => p.id), clients: s.inspection.clients };
}
