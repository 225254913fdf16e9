import { createServer, type Server } from 'node:http';
import { ClawkeepError } from '../errors.js';

/** A loopback server waiting for the provider to redirect the browser back with `code` and `state`. */
export interface CallbackServer {
  port: number;
  redirectUri: string;
  /** Resolves with the authorization code of the first callback whose `state` matches. */
  code: Promise<string>;
  close(): void;
}

export interface CallbackServerOptions {
  ports: number[];
  path: string;
  state: string;
  /** Told about rejected callbacks (wrong state, missing code); the server keeps waiting. */
  onRejected?: (why: string) => void;
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * Binds the first free port of `ports` on 127.0.0.1; null when every one is taken (the caller falls
 * back to a pasted redirect URL). A callback with the wrong `state` is answered 400 and ignored.
 */
export async function startCallbackServer(o: CallbackServerOptions): Promise<CallbackServer | null> {
  let settle!: { resolve: (code: string) => void; reject: (err: Error) => void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => {});
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(title, text));
    };
    if (url.pathname !== o.path) return reply(404, 'Not found', 'This is the clawkeep login callback.');
    const q = url.searchParams;
    if (q.get('state') !== o.state) {
      o.onRejected?.('a callback arrived with a state that does not match this login; ignored it');
      return reply(400, 'State mismatch', 'This callback does not belong to the login clawkeep started.');
    }
    const error = q.get('error');
    if (error) {
      const description = q.get('error_description') ?? '';
      reply(400, 'Login failed', `The provider answered ${error}. Return to your terminal.`);
      return settle.reject(
        new ClawkeepError(
          'login_failed',
          `the provider refused the login: ${error}${description ? ` (${description})` : ''}`,
          { details: { error } },
        ),
      );
    }
    const value = q.get('code');
    if (!value) {
      o.onRejected?.('a callback arrived without a code; ignored it');
      return reply(400, 'Missing code', 'The callback carried no authorization code.');
    }
    reply(200, 'Signed in', 'clawkeep has your login. You can close this tab and return to the terminal.');
    settle.resolve(value);
  });
  for (const port of o.ports) {
    if (await listen(server, port)) {
      return {
        port,
        redirectUri: `http://localhost:${port}${o.path}`,
        code,
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      };
    }
  }
  return null;
}

/** True when bound; false when the port is taken or not ours to bind. */
function listen(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}
