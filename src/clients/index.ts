export {
  type ConnectRecord,
  type ConnectResult,
  connectClient,
  connectRecordPath,
  type UndoResult,
  undoConnect,
} from './connect.js';
export { gatewayUrlOf } from './gateway-url.js';
export { connectorFor, listConnectors } from './registry.js';
export { type ClientApi, type ClientConnector, CONNECT_CLIENT_IDS, type ConnectClientId } from './types.js';
