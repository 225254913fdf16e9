/** The doctor: checks as objects, a runner, and one report rendered as text or JSON. */
export { CHECKS } from './checks/index.js';
export { createDoctorContext } from './context.js';
export { type DoctorOptions, type DoctorReport, runDoctor } from './doctor.js';
export { formatReport } from './format.js';
export { applyFixes, exitCodeOf, runDiagnosis } from './runner.js';
export type * from './types.js';
