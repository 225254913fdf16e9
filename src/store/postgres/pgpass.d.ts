declare module 'pgpass' {
  interface ConnInfo {
    host: string;
    port: string;
    database: string;
    user: string;
  }
  /** Looks the connection up in PGPASSFILE (or ~/.pgpass); calls back with undefined when absent. */
  function pgpass(connInfo: ConnInfo, cb: (password: string | undefined) => void): void;
  export default pgpass;
}
