import { loadConfig } from '../config/schema.js';

/** `--port` / `--host` as the command parsed them. */
export interface ListenOverrides {
  port?: number;
  host?: string;
}

/** The gateway settings with `--port`/`--host` applied: flags beat the environment, which beats config. */
export function resolveListenConfig(home: string, o: ListenOverrides) {
  const loaded = loadConfig(home);
  const gateway = {
    ...loaded.config.gateway,
    ...(o.port === undefined ? {} : { port: o.port }),
    ...(o.host === undefined ? {} : { host: o.host }),
  };
  return { ...loaded, config: { ...loaded.config, gateway }, gateway };
}
