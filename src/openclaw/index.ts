/** Reading and writing OpenClaw's credential stores of every era. */
export { archiveLegacyFile, archivePathFor, hashFile, writeBackupFile } from './archive.js';
export { checkOpenClawSelection, locateOpenClawHomes } from './locate.js';
export {
  canonicalProfileId,
  compareFreshness,
  credentialToken,
  type DatedCopy,
  deadReason,
  holdsLiveCredential,
  isFenceMarker,
  providerFamily,
} from './profile.js';
export { describeEra, MAIN_AGENT, scanOpenClawHome } from './scan.js';
export { readProfilesFrom, removeProfileFrom, type WriteOutcome, writeProfileTo } from './store-io.js';
export type * from './types.js';
