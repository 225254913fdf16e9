// Runs under Node 24 inside a real OpenClaw release: loads the config and an agent's auth store through
// OpenClaw's own code and prints which profiles its runtime would use for a provider
// (`resolveAuthProfileOrder`, what a model call consults), with token fingerprints (never tokens).
// Usage: node provider-rename-probe.mjs <openclaw package dir> <agentDir> <provider>
import { createHash } from 'node:crypto';

const [pkg, agentDir, provider] = process.argv.slice(2);
const { loadConfig } = await import(`${pkg}/dist/plugin-sdk/config-runtime.js`);
const sdk = await import(`${pkg}/dist/plugin-sdk/provider-auth.js`);
// 2026.9 exports it beside the store; earlier releases from the agent runtime's SDK entry.
const resolveAuthProfileOrder =
  sdk.resolveAuthProfileOrder ??
  (await import(`${pkg}/dist/plugin-sdk/agent-runtime.js`)).resolveAuthProfileOrder;
const cfg = loadConfig();
const store = sdk.ensureAuthProfileStore(agentDir);
const fp = (s) => (s ? createHash('sha256').update(s).digest('hex').slice(0, 16) : null);
const resolved = resolveAuthProfileOrder({ cfg, store, provider });
const out = {
  resolved: resolved.map((id) => ({ id, refresh: fp(store.profiles[id]?.refresh) })),
  primaryModel: cfg.agents?.defaults?.model?.primary ?? null,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
