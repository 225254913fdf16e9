import { checkPortFree } from '../runtime/listen-error.js';
import { startDetached } from './daemon.js';
import { type ListenOverrides, resolveListenConfig } from './listen-config.js';

/**
 * `gateway start`: refuses early, in one line, when the port is taken (a detached process could not
 * say so), then starts `<cli> gateway run` detached with the same overrides.
 */
export async function startGatewayInBackground(o: {
  home: string;
  cli: string;
  listen: ListenOverrides;
}): ReturnType<typeof startDetached> {
  const { gateway } = resolveListenConfig(o.home, o.listen);
  await checkPortFree({ host: gateway.host, port: gateway.port, home: o.home });
  const args = [
    ...(o.listen.port === undefined ? [] : ['--port', String(o.listen.port)]),
    ...(o.listen.host === undefined ? [] : ['--host', o.listen.host]),
  ];
  return startDetached({ home: o.home, cli: o.cli, args, listen: `${gateway.host}:${gateway.port}` });
}
