export { type ApplyResult, applyImport } from './apply.js';
export { claudeHome, readClaudeSource } from './claude.js';
export { codexHome, readCodexSource } from './codex.js';
export { backupPathFor } from './detach.js';
export { openclawHomes, readOpenClawSource } from './openclaw.js';
export {
  CLIENT_KEY_PLACEHOLDER,
  checkOpenClawConfigWritable,
  openclawConfigPath,
  openclawGatewayConfig,
  writeOpenClawConfig,
} from './openclaw-config.js';
export { piHome, readPiSource } from './pi.js';
export { planImport } from './plan.js';
export type * from './types.js';
