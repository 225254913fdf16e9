import pc from 'picocolors';

/** Where a command writes; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  stdin: NodeJS.ReadStream;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  stdin: process.stdin,
  isTTY: Boolean(process.stdin.isTTY),
};

let epipeGuarded = false;

/**
 * A reader that closed the pipe (`clawkeep events --json | head`) is not an error: exit 0 quietly
 * instead of crashing on EPIPE or writing forever with `--follow`.
 */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (epipeGuarded) return;
  epipeGuarded = true;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Left-aligned columns, header dimmed. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - stripAnsi(c).length)))
      .join('  ')
      .trimEnd();
  return [pc.dim(line(header)), ...rows.map(line)].join('\n');
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** `3h 12m`, `45s`, `expired 2m ago`. */
export function formatCountdown(seconds: number | null): string {
  if (seconds === null) return 'never';
  const abs = Math.abs(seconds);
  const text =
    abs >= 86400
      ? `${Math.floor(abs / 86400)}d ${Math.floor((abs % 86400) / 3600)}h`
      : abs >= 3600
        ? `${Math.floor(abs / 3600)}h ${Math.floor((abs % 3600) / 60)}m`
        : abs >= 60
          ? `${Math.floor(abs / 60)}m ${abs % 60}s`
          : `${abs}s`;
  return seconds < 0 ? `expired ${text} ago` : `in ${text}`;
}

export function statusMark(status: string): string {
  if (status === 'ok') return pc.green('✓ ok');
  if (status === 'disabled') return pc.yellow('! disabled');
  return pc.red(`✗ ${status}`);
}
