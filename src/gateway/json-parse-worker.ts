import { parentPort } from 'node:worker_threads';
import { jsonTooDeep } from './guards.js';
import { planJson } from './json-parse-plan.js';

/** A job: the body (on a SharedArrayBuffer, so nothing is copied) and the limits to check it against. */
export interface PlanJob {
  id: number;
  body: Uint8Array;
  maxDepth: number;
  chunk: number;
}

export type PlanReply =
  | { id: number; ok: true; plan: Int32Array }
  | { id: number; ok: false; reason: 'too_deep' | 'not_json' };

/** The thread that scans large request bodies (depth, structure, plan) off the gateway's event loop. */
const port = parentPort;
if (!port) throw new Error('json-parse-worker runs only as a worker thread');

port.on('message', (job: PlanJob) => {
  let reply: PlanReply;
  if (jsonTooDeep(job.body, job.maxDepth)) reply = { id: job.id, ok: false, reason: 'too_deep' };
  else {
    const plan = planJson(job.body, job.chunk);
    reply = plan ? { id: job.id, ok: true, plan } : { id: job.id, ok: false, reason: 'not_json' };
  }
  port.postMessage(reply, reply.ok ? [reply.plan.buffer as ArrayBuffer] : []);
});
