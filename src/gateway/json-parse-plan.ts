/**
 * A large JSON body split into pieces that each parse in about a millisecond: a worker thread scans
 * the bytes once (`planJson`, the structure only) and the event loop builds the value from the plan
 * (`assembleJson`), yielding between pieces, so a 32 MiB body never holds other requests for long.
 *
 * The plan is a flat list of ops (an Int32Array, cheap to transfer):
 *   OBJECT | ARRAY   open a container (attached to the enclosing one, under the pending key)
 *   CLOSE            close it
 *   RUN s e          consecutive members (`"k":v,"k2":v2`) or elements (`v,v2`) of the open container
 *   KEY s e          the key (a string token) of the next op's container in the open object
 *   VALUE s e        a whole value (a small root, or a root that is not a container)
 * Offsets are byte offsets into the body, always at ASCII structural characters, so every piece
 * decodes as UTF-8 exactly as the whole body would.
 */

export const OP_OBJECT = 1;
export const OP_ARRAY = 2;
export const OP_CLOSE = 3;
export const OP_RUN = 4;
export const OP_KEY = 5;
export const OP_VALUE = 6;

const EXPECT_FIRST = 0;
const EXPECT_KEY = 1;
const EXPECT_COLON = 2;
const EXPECT_VALUE = 3;
const EXPECT_NEXT = 4;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

interface Frame {
  object: boolean;
  start: number;
  state: number;
  memberStart: number;
  keyEnd: number;
  valueEnd: number;
  /** Ops of a large child container that closed; emitted when its member ends. */
  big: number[] | null;
  runStart: number;
  runEnd: number;
  ops: number[];
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** End (exclusive) of the string token starting at `i` (a quote), or -1 when it never closes. */
function scanString(b: Uint8Array, i: number): number {
  for (let j = i + 1; j < b.length; j++) {
    const c = b[j];
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/** End (exclusive) of a number or literal token; its content is checked when its piece is parsed. */
function scanBare(b: Uint8Array, i: number): number {
  let j = i;
  while (j < b.length) {
    const c = b[j]!;
    if (isSpace(c) || c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || c === COLON) break;
    j++;
  }
  return j;
}

function flushRun(f: Frame): void {
  if (f.runStart < 0) return;
  f.ops.push(OP_RUN, f.runStart, f.runEnd);
  f.runStart = -1;
}

function endMember(f: Frame, chunk: number): void {
  if (f.big) {
    flushRun(f);
    if (f.object) f.ops.push(OP_KEY, f.memberStart, f.keyEnd);
    for (const op of f.big) f.ops.push(op);
    f.big = null;
    return;
  }
  if (f.runStart < 0) f.runStart = f.memberStart;
  f.runEnd = f.valueEnd;
  if (f.runEnd - f.runStart >= chunk) flushRun(f);
}

function newFrame(object: boolean, start: number): Frame {
  return {
    object,
    start,
    state: EXPECT_FIRST,
    memberStart: -1,
    keyEnd: -1,
    valueEnd: -1,
    big: null,
    runStart: -1,
    runEnd: -1,
    ops: [],
  };
}

/**
 * The plan of a JSON text, with pieces of about `chunk` bytes; null when the text is not JSON. The
 * scan checks the structure (brackets, commas, colons, what lies between tokens); every token lies in
 * a piece that `assembleJson` parses with `JSON.parse`, which checks the rest.
 */
export function planJson(b: Uint8Array, chunk: number): Int32Array | null {
  const stack: Frame[] = [];
  let root: number[] | null = null;
  let i = 0;
  const n = b.length;
  while (true) {
    while (i < n && isSpace(b[i]!)) i++;
    if (i >= n) break;
    if (root) return null; // Something after the root value.
    const c = b[i]!;
    const top = stack[stack.length - 1];
    if (!top) {
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        stack.push(newFrame(c === OPEN_OBJECT, i++));
        continue;
      }
      const end = c === QUOTE ? scanString(b, i) : scanBare(b, i);
      if (end <= i) return null;
      root = [OP_VALUE, i, end];
      i = end;
      continue;
    }
    const close = top.object ? CLOSE_OBJECT : CLOSE_ARRAY;
    switch (top.state) {
      case EXPECT_FIRST:
        if (c !== close) {
          top.state = top.object ? EXPECT_KEY : EXPECT_VALUE;
          continue;
        }
        break;
      case EXPECT_KEY: {
        if (c !== QUOTE) return null;
        const end = scanString(b, i);
        if (end < 0) return null;
        top.memberStart = i;
        top.keyEnd = end;
        top.state = EXPECT_COLON;
        i = end;
        continue;
      }
      case EXPECT_COLON:
        if (c !== COLON) return null;
        top.state = EXPECT_VALUE;
        i++;
        continue;
      case EXPECT_VALUE: {
        if (!top.object) top.memberStart = i;
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          stack.push(newFrame(c === OPEN_OBJECT, i++));
          continue;
        }
        const end = c === QUOTE ? scanString(b, i) : scanBare(b, i);
        if (end <= i) return null;
        top.valueEnd = end;
        top.state = EXPECT_NEXT;
        i = end;
        continue;
      }
      default:
        if (c === COMMA) {
          endMember(top, chunk);
          top.state = top.object ? EXPECT_KEY : EXPECT_VALUE;
          i++;
          continue;
        }
        if (c !== close) return null;
        endMember(top, chunk);
    }
    // `c` closes `top`.
    stack.pop();
    const end = ++i;
    let ops: number[] | null = null;
    if (end - top.start > chunk) {
      flushRun(top);
      ops = [top.object ? OP_OBJECT : OP_ARRAY];
      for (const op of top.ops) ops.push(op);
      ops.push(OP_CLOSE);
    }
    const parent = stack[stack.length - 1];
    if (!parent) root = ops ?? [OP_VALUE, top.start, end];
    else {
      parent.valueEnd = end;
      parent.state = EXPECT_NEXT;
      parent.big = ops;
    }
  }
  return root ? Int32Array.from(root) : null;
}

/** Thrown by `assembleJson` when a piece is not JSON (the message quotes nothing of the body). */
export class NotJsonError extends Error {
  constructor() {
    super('not valid JSON');
  }
}

function parsePiece(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NotJsonError();
  }
}

/** Sets `key` as JSON.parse would: an own data property even for `__proto__`. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Builds the value `plan` describes from `body`, equal to `JSON.parse(body)`, yielding to the event
 * loop whenever a slice of work passed `sliceMs`.
 */
export async function assembleJson(body: Buffer, plan: Int32Array, sliceMs: number): Promise<unknown> {
  const stack: Array<{ container: Record<string, unknown> | unknown[]; key: string | null }> = [];
  let root: unknown;
  const attach = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (!top) root = value;
    else if (Array.isArray(top.container)) top.container.push(value);
    else setMember(top.container, top.key!, value);
  };
  let sliceStart = performance.now();
  for (let i = 0; i < plan.length; ) {
    const op = plan[i++];
    if (op === OP_OBJECT || op === OP_ARRAY) {
      const container = op === OP_OBJECT ? {} : [];
      attach(container);
      stack.push({ container, key: null });
      continue;
    }
    if (op === OP_CLOSE) {
      stack.pop();
      continue;
    }
    const text = body.toString('utf8', plan[i], plan[i + 1]);
    i += 2;
    const top = stack[stack.length - 1];
    if (op === OP_VALUE) attach(parsePiece(text));
    else if (op === OP_KEY) {
      const key = parsePiece(text);
      if (typeof key !== 'string') throw new NotJsonError();
      top!.key = key;
    } else if (Array.isArray(top!.container)) {
      const part = parsePiece(`[${text}]`) as unknown[];
      for (const v of part) top!.container.push(v);
    } else {
      const part = parsePiece(`{${text}}`) as Record<string, unknown>;
      for (const k of Object.keys(part)) setMember(top!.container, k, part[k]);
    }
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return root;
}
