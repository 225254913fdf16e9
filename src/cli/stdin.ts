import { password } from '@inquirer/prompts';
import { ClawkeepError } from '../errors.js';
import type { Io } from './output.js';

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** A secret from stdin when piped, else a hidden prompt. Never from argv. */
export async function readSecret(io: Io, prompt: string): Promise<string> {
  const text = io.isTTY ? await password({ message: prompt, mask: '*' }) : await readAll(io.stdin);
  const secret = text.trim();
  if (!secret) throw new ClawkeepError('usage', `no ${prompt.toLowerCase()} given on stdin`);
  return secret;
}
