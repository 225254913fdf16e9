import type { ProviderId } from './tokens.js';

/** The part of a conversation the emulated model reacts to. */
export interface Turn {
  /** Text of the last user message. */
  text: string;
  /** False when the conversation ends in a tool result: the model then answers in text. */
  endsWithUser: boolean;
}

/** `auto` calls a tool only when asked to ("use tool"); `required` always calls the first one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

const TOOL_TRIGGER = /use tool/i;

/** The deterministic reply text. */
export function replyText(provider: ProviderId, turn: Turn): string {
  return `emulated ${provider} reply to: ${turn.text}`;
}

/** The tool the emulated model calls, or null to answer in text. */
export function chooseTool(names: readonly string[], turn: Turn, choice: ToolChoice): string | null {
  const first = names[0];
  if (first === undefined || choice === 'none') return null;
  if (typeof choice === 'object') return names.includes(choice.name) ? choice.name : first;
  if (choice === 'required') return first;
  return turn.endsWithUser && TOOL_TRIGGER.test(turn.text) ? first : null;
}

/** Splits `text` into up to `parts` stream deltas that concatenate back to it. */
export function splitDeltas(text: string, parts = 4): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** A stable token estimate (about four characters per token). */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

const REMINDER = /^\s*<system-reminder>/;

/**
 * Plain text of a message `content`: a string or an array of parts carrying `text`. Parts that are
 * Claude Code's `<system-reminder>` context are skipped when the message has other text.
 */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts = content.flatMap((part: unknown) =>
    part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? [part.text] : [],
  );
  const own = texts.filter((t) => !REMINDER.test(t));
  return (own.length > 0 ? own : texts).join('');
}

/** Reads the role of a message-like item without trusting its shape. */
export function roleOf(item: unknown): string | undefined {
  return item && typeof item === 'object' && 'role' in item && typeof item.role === 'string'
    ? item.role
    : undefined;
}
