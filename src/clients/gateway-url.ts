/** The URL a local client reaches the gateway at: a gateway bound to every interface is still reached over loopback. */
export function gatewayUrlOf(gateway: { host: string; port: number }): string {
  const host = gateway.host === '0.0.0.0' || gateway.host === '::' ? '127.0.0.1' : gateway.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${gateway.port}`;
}
