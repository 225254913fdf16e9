import { runCli } from '../helpers/processes.js';
import { CliProcess } from './processes.js';
import type { Lane, LaneContext } from './scenario.js';

/** The store's `rotated` events as `events --json` prints them (one object per line). */
async function storeRotations(ctx: LaneContext): Promise<Set<number>> {
  const r = await runCli(ctx.home, ['events', '--json', '--limit', '100000'], { env: ctx.env });
  return rotatedSeqs(r.stdout);
}

function rotatedSeqs(jsonLines: string): Set<number> {
  const seqs = new Set<number>();
  for (const line of jsonLines.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { seq: number; kind: string };
    if (e.kind === 'rotated') seqs.add(e.seq);
  }
  return seqs;
}

/**
 * `clawkeep events --follow --json` for the whole run, in its own process: it must print every
 * rotation the store holds, and stop cleanly on SIGTERM.
 */
export function eventsFollowLane(): Lane {
  let follow: CliProcess | null = null;
  const problems: string[] = [];
  let printed = 0;
  let stored = 0;
  return {
    name: 'events --follow',
    async run(ctx) {
      follow = new CliProcess(['--home', ctx.home, 'events', '--follow', '--json'], ctx.env);
      await ctx.stopped;
    },
    async finish(ctx) {
      if (!follow) return;
      const want = await storeRotations(ctx);
      stored = want.size;
      // Wait for the follower to have printed the last rotation (it polls the store), then stop it.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && rotatedSeqs(follow.out).size < want.size) {
        await new Promise((r) => setTimeout(r, 100));
      }
      printed = rotatedSeqs(follow.out).size;
      const exit = await follow.stop('SIGTERM');
      if (exit.code !== 0) problems.push(`events --follow exited ${exit.code ?? exit.signal}: ${follow.err}`);
      const missing = [...want].filter((s) => !rotatedSeqs(follow!.out).has(s));
      if (missing.length > 0) problems.push(`events --follow never printed rotations ${missing.join(', ')}`);
    },
    report() {
      return {
        figures: `printed ${printed} of ${stored} rotations`,
        problems,
        texts: follow ? `${follow.out}\n${follow.err}`.split('\n') : [],
      };
    },
  };
}

/**
 * The dashboard, as a user keeps it open: `clawkeep dashboard --no-browser` prints a sign-in link, and
 * the page polls the profiles API. A gateway restart ends the session; the user signs in again. It
 * must show each OAuth login's generation moving on, with no answer but 200 (or 401 after a restart).
 */
export function dashboardLane(profileIds: readonly string[]): Lane {
  const problems: string[] = [];
  const texts: string[] = [];
  const generations = new Map<string, { first: number; last: number }>();
  let polls = 0;
  let signIns = 0;
  let unreachable = 0;
  return {
    name: 'dashboard',
    async run(ctx) {
      let cookie: string | null = null;
      while (ctx.running()) {
        try {
          if (!cookie) {
            cookie = await ctx.withGatewayUp(() => signIn(ctx));
            signIns++;
          }
          const res = await fetch(`${ctx.gatewayUrl}/ui/api/profiles`, { headers: { cookie } });
          const body = await res.text();
          if (res.status === 401) {
            cookie = null; // a restarted gateway forgot the session
            continue;
          }
          polls++;
          if (res.status !== 200) {
            problems.push(`GET /ui/api/profiles → ${res.status}: ${body.slice(0, 300)}`);
            texts.push(body);
          } else {
            const { profiles } = JSON.parse(body) as { profiles: { id: string; generation: number }[] };
            for (const p of profiles) {
              const g = generations.get(p.id);
              generations.set(p.id, { first: g?.first ?? p.generation, last: p.generation });
            }
          }
        } catch {
          unreachable++; // the gateway is restarting
          cookie = null;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    report() {
      const seen = profileIds.map((id) => {
        const g = generations.get(id);
        return { id, crossed: g ? g.last - g.first : 0 };
      });
      const stuck = seen.filter((s) => s.crossed < 1).map((s) => `the dashboard never saw ${s.id} rotate`);
      return {
        figures: `${polls} polls, ${signIns} sign-ins, ${unreachable} while restarting; rotations seen ${seen
          .map((s) => `${s.id} +${s.crossed}`)
          .join(', ')}`,
        problems: [...problems, ...stuck],
        texts,
      };
    },
  };
}

/** Runs `clawkeep dashboard --no-browser`, opens the one-time link, returns the session cookie. */
async function signIn(ctx: LaneContext): Promise<string> {
  // Only against a serving gateway: on a home with none, `dashboard` would start one in the background.
  const probe = await fetch(`${ctx.gatewayUrl}/ui/`);
  await probe.text();
  if (probe.status !== 401) throw new Error(`/ui/ answered ${probe.status}`);
  const r = await runCli(ctx.home, ['dashboard', '--no-browser'], { env: ctx.env });
  const link = r.stdout.match(/https?:\/\/\S+\/ui\/signin\?token=\S+/)?.[0];
  if (r.code !== 0 || !link) throw new Error(`dashboard exited ${r.code}: ${r.stderr}`);
  const res = await fetch(link, { redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in link answered ${res.status}`);
  return cookie;
}
