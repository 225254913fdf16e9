import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { buildFullProgram } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/output.js';
import { ROOT } from '../helpers/processes.js';

/** The README's command table as a markdown renderer sees it (GitHub's rules: a cell ends at an unescaped `|`). */
function readmeCommandTable(): Tokens.Table {
  const tokens = marked.lexer(readFileSync(`${ROOT}README.md`, 'utf8'));
  const heading = tokens.findIndex((t) => t.type === 'heading' && t.text === 'Commands');
  const table = tokens.slice(heading + 1).find((t) => t.type === 'table');
  if (heading < 0 || !table) throw new Error('README.md: no table under "## Commands"');
  return table as Tokens.Table;
}

/** Every command path of the real CLI (`gateway`, `gateway run`, `models auth login`…). */
function commandPaths(command: Command, parent: string[] = []): string[][] {
  return command.commands.flatMap((c) => {
    const path = [...parent, c.name()];
    return [path, ...commandPaths(c, path)];
  });
}

/** The words of a command cell's code spans: `clawkeep gateway run|stop` → clawkeep, gateway, run, stop. */
function commandWords(cell: Tokens.TableCell): string[] {
  return cell.tokens
    .filter((t): t is Tokens.Codespan => t.type === 'codespan')
    .flatMap((t) => t.text.split(/[\s|/]+/))
    .filter((w) => w !== '');
}

/** True when `path` occurs in `words` in order (`store decrypt` in `clawkeep store encrypt … decrypt`). */
function mentions(words: string[], path: string[]): boolean {
  let at = words.indexOf('clawkeep');
  if (at < 0) return false;
  for (const name of path) {
    at = words.indexOf(name, at + 1);
    if (at < 0) return false;
  }
  return true;
}

// Building the program prints nothing; only the command tree is read.
const program = await buildFullProgram(processIo, () => {});
const table = readmeCommandTable();
const rowName = (row: Tokens.TableCell[]) => row[0]?.text ?? '(empty row)';

describe('README command table', () => {
  it('has the columns "command" and "what it does"', () => {
    expect(table.header.map((h) => h.text)).toEqual(['command', 'what it does']);
  });

  it.each(table.rows.map((row) => [rowName(row), row]))('row %s has every column filled', (_name, row) => {
    expect(row).toHaveLength(table.header.length);
    for (const cell of row) expect(cell.text.trim()).not.toBe('');
    // An unescaped pipe inside a code span splits the cell there: the rest of the row is lost and a
    // lone backtick is left behind.
    for (const cell of row) expect(cell.text.split('`').length % 2, cell.text).toBe(1);
    expect(row[0]!.tokens[0]?.type, 'the command column starts with a code span').toBe('codespan');
    expect((row[0]!.tokens[0] as Tokens.Codespan).text).toMatch(/^clawkeep /);
  });

  it('names only commands the CLI has', () => {
    const topLevel = new Set(program.commands.map((c) => c.name()));
    for (const row of table.rows) {
      const named = commandWords(row[0]!)[1];
      expect(topLevel.has(named ?? ''), `${rowName(row)}: no such command "${named}"`).toBe(true);
    }
  });

  it('lists every command and subcommand of the CLI', () => {
    const words = table.rows.map((row) => commandWords(row[0]!));
    const paths = commandPaths(program);
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((p) => !words.some((w) => mentions(w, p))).map((p) => p.join(' '));
    expect(missing, 'commands the README table leaves out').toEqual([]);
  });
});
