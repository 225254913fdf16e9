/** The guardian beside a live OpenClaw (`clawkeep watch`). */
export { dirsToWatch, Guardian, type GuardianOptions } from './guardian.js';
export { causeOf, WatchJournal, type WatchRecord } from './journal.js';
export { readMarker, WATCH_MARKER, type WatchMarker } from './marker.js';
export { type PassOutcome, runPass, WATCH_CHECKS } from './pass.js';
export { describeVersion, readVersionState, type VersionState, versionKey } from './version-state.js';
