import { parseArgs } from 'node:util';
import type { RunRecord } from '@ptp/graph-core';
import { StudioRest } from '@ptp/graph-core/client';
import { EXIT, UsageError, type Command } from '../cliSupport.js';
import { checkServerUrl, describeServerFailure } from '../serverErrors.js';

const ACTIONS = ['status', 'pause', 'resume', 'clear'] as const;
type Action = (typeof ACTIONS)[number];
/** `status` lists this many waiting runs, the next first. */
const SHOWN = 10;
const PAGE = 500;
/** 20 pages of 500: far more runs than a queue holds (1000 by default). */
const MAX_PAGES = 20;

/** What `ptp queue` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const QUEUE_OPTIONS = { server: { type: 'string' }, token: { type: 'string' } } as const;

/**
 * `ptp queue --server URL [status|pause|resume|clear]`: a studio server's queue from a terminal,
 * as History shows and controls it: how many runs wait and run, whether it is paused, the next
 * waiting runs; pause or resume it; cancel every waiting run (the running one goes on).
 */
export const queueCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: QUEUE_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (!values.server) throw new UsageError('queue needs --server URL');
  checkServerUrl(values.server);
  if (positionals.length > 1) throw new UsageError(`queue takes one action: ${ACTIONS.join(', ')}`);
  const action = (positionals[0] ?? 'status') as Action;
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown queue action "${action}": ${ACTIONS.join(', ')}`);
  const token = values.token ?? process.env.PTP_TOKEN;
  const rest = new StudioRest({ baseUrl: values.server, token });
  try {
    if (action === 'pause' || action === 'resume') {
      const { paused } = action === 'pause' ? await rest.pauseQueue() : await rest.resumeQueue();
      io.out(paused ? 'queue paused: no waiting run starts until `ptp queue resume`' : 'queue resumed');
    } else if (action === 'clear') {
      const { cancelled } = await rest.cancelWaiting();
      io.out(`cancelled ${cancelled.length} waiting run${cancelled.length === 1 ? '' : 's'}`);
    } else {
      const { queue } = await rest.health();
      io.out(
        `${values.server}: ${queue.queued} waiting, ${queue.running} running${queue.paused ? ', paused (ptp queue resume)' : ''}`,
      );
      // Queued runs are listed from the back of the queue: read them all (the queue bounds them) for the front.
      let page = await rest.listRuns({ status: 'queued', limit: PAGE });
      const waiting: RunRecord[] = [...page];
      for (let pages = 1; page.length === PAGE && pages < MAX_PAGES; pages++) {
        page = await rest.listRuns({ status: 'queued', limit: PAGE, before: page.at(-1)!.id });
        waiting.push(...page);
      }
      waiting.sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
      for (const run of waiting.slice(0, SHOWN)) io.out(`  #${(run.queuePosition ?? 0) + 1}  ${run.id}  ${run.name}`);
      if (waiting.length > SHOWN) io.out(`  ... and ${waiting.length - SHOWN} more`);
    }
    return EXIT.ok;
  } catch (err) {
    for (const text of describeServerFailure(err, values.server, Boolean(token))) io.err(`ptp queue: ${text}`);
    return EXIT.failed;
  }
};
