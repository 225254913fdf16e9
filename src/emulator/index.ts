export { ANTHROPIC_CLIENT_ID } from './anthropic-auth.js';
export { EmulatorControl, type FaultRuleInput, type MintedProfile } from './control-client.js';
export type { FaultRule } from './faults.js';
export { OPENAI_CODEX_CLIENT_ID } from './openai-codex-auth.js';
export type { RecordedRequest } from './recorder.js';
export { formatReusePolicy, parseReusePolicy, type ReusePolicy } from './reuse-policy.js';
export { type Emulator, type EmulatorOptions, emulatorEnv, startEmulator } from './server.js';
export { parseSse, type SseEvent } from './sse.js';
export type { EmulatorStats } from './stats.js';
