import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { ClawkeepError } from '../errors.js';
import { invokedAs } from '../util/invoked-as.js';

/** A client's config file parsed into a plain object, with what is needed to write it back alike. */
export interface ConfigDoc {
  doc: Record<string, unknown>;
  /** JSON indentation of the original (2 for a new file). */
  indent: number;
}

/** Parses a config file's text; `null` text (no file yet) is an empty document. */
export function parseConfig(format: 'json' | 'toml', path: string, text: string | null): ConfigDoc {
  if (text === null || text.trim() === '') return { doc: {}, indent: 2 };
  if (format === 'toml') {
    try {
      return { doc: parseToml(text) as Record<string, unknown>, indent: 2 };
    } catch (err) {
      throw notEditable(path, `not valid TOML (${firstLine(err)})`);
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw notEditable(path, `not plain JSON (${firstLine(err)}; comments or trailing commas?)`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw notEditable(path, 'not a JSON object');
  const indent = /^\{\s*\n( +)"/.exec(text)?.[1]?.length ?? (text.includes('\n') ? 2 : 0);
  return { doc: doc as Record<string, unknown>, indent: indent || 2 };
}

/** Serialises a document in the file's format, ending in a newline. */
export function formatConfig(format: 'json' | 'toml', d: ConfigDoc): string {
  if (format === 'toml') {
    const text = stringifyToml(d.doc);
    return text.endsWith('\n') ? text : `${text}\n`;
  }
  return `${JSON.stringify(d.doc, null, d.indent)}\n`;
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0] ?? '';
}

function notEditable(path: string, why: string): ClawkeepError {
  return new ClawkeepError(
    'usage',
    `${path} is ${why}; not editing it. Fix it, or add the settings by hand (see: ${invokedAs()} connect <client> --print)`,
    { details: { path } },
  );
}
