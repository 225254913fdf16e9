import { fileURLToPath } from 'node:url';

/** The CLI's entry point, for the processes clawkeep starts of itself and the service units it writes. */
export const CLI_PATH = fileURLToPath(new URL('../../bin/clawkeep.js', import.meta.url));
