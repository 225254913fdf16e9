import type { Check } from '../types.js';
import { authOrderCheck } from './auth-order.js';
import { clawkeepConfigCheck } from './clawkeep-config.js';
import { clawkeepStoreCheck } from './clawkeep-store.js';
import { deadCredentialsCheck } from './dead-credentials.js';
import { duplicateAccountsCheck } from './duplicate-accounts.js';
import { erasCheck } from './eras.js';
import { fenceRecoveryCheck } from './fence-recovery.js';
import { filesCheck } from './files.js';
import { leftoverFilesCheck } from './leftover-files.js';
import { migrationReceiptsCheck } from './migration-receipts.js';
import { openclawGatewayCheck } from './openclaw-gateway.js';
import { pendingMigrationCheck } from './pending-migration.js';
import { pendingRotationsCheck } from './pending-rotations.js';
import { permissionsCheck } from './permissions.js';
import { providerRenameCheck } from './provider-rename.js';
import { splitStoreCheck } from './split-store.js';
import { staleLocksCheck } from './stale-locks.js';

/** Every check, in the order they run and their fixes apply (split-store before pending-migration). */
export const CHECKS: readonly Check[] = [
  erasCheck,
  filesCheck,
  splitStoreCheck,
  fenceRecoveryCheck,
  providerRenameCheck,
  authOrderCheck,
  migrationReceiptsCheck,
  pendingMigrationCheck,
  deadCredentialsCheck,
  duplicateAccountsCheck,
  openclawGatewayCheck,
  staleLocksCheck,
  permissionsCheck,
  clawkeepStoreCheck,
  clawkeepConfigCheck,
  pendingRotationsCheck,
  leftoverFilesCheck,
];
