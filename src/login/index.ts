export { loginWithBrowser } from './browser-flow.js';
export { callbackSpec, loginProviders } from './callback-spec.js';
export type { DeviceStart } from './device.js';
export { loginWithDevice } from './device-flow.js';
export { type LoginRequest, loginAndSave } from './login-and-save.js';
export { describeLoginModes, type LoginMode, loginModes } from './modes.js';
export { parsePastedAuthorization } from './paste.js';
export { type SaveAction, saveLogin, saveLoginAndLink } from './save-login.js';
export type { LoginOptions, LoginUi } from './ui.js';
