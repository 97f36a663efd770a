import { TERMINAL_EVENT_TYPES, type RunEvent } from './events.js';

/**
 * Checks that one run's events form a valid sequence; returns the violations (empty when valid).
 * Used by tests of every runner and by clients that want to assert what they received.
 */
export function checkEventOrder(events: readonly RunEvent[]): string[] {
  const problems: string[] = [];
  if (events.length === 0) return ['no events'];
  if (events[0]!.type !== 'run_started') problems.push(`first event is ${events[0]!.type}, not run_started`);
  const runId = events[0]!.runId;
  const executing = new Set<string>();
  const executed = new Set<string>();
  const cached = new Set<string>();
  let current: string | undefined;
  events.forEach((e, i) => {
    if (e.runId !== runId) problems.push(`event ${i} belongs to run ${e.runId}`);
    if (i > 0 && e.seq !== events[i - 1]!.seq + 1)
      problems.push(`event ${i} has seq ${e.seq} after ${events[i - 1]!.seq}`);
    const terminal = TERMINAL_EVENT_TYPES.includes(e.type);
    if (terminal && i !== events.length - 1) problems.push(`terminal event ${e.type} at ${i} is not last`);
    if (!terminal && i === events.length - 1) problems.push(`last event ${e.type} is not terminal`);
    switch (e.type) {
      case 'run_started':
        if (i !== 0) problems.push(`run_started again at ${i}`);
        break;
      case 'node_cached':
        for (const id of e.nodeIds) {
          if (executing.has(id)) problems.push(`node ${id} cached after it executed`);
          cached.add(id);
        }
        break;
      case 'node_executing':
        if (current !== undefined) problems.push(`node ${e.nodeId} starts while ${current} is executing`);
        if (executing.has(e.nodeId) || cached.has(e.nodeId))
          problems.push(`node ${e.nodeId} executes twice or after being cached`);
        executing.add(e.nodeId);
        current = e.nodeId;
        break;
      case 'progress':
        if (current !== e.nodeId) problems.push(`progress for ${e.nodeId} outside its execution`);
        if (e.value < 0 || e.value > e.max) problems.push(`progress ${e.value}/${e.max} out of range`);
        break;
      case 'node_executed':
        if (current !== e.nodeId) problems.push(`node_executed for ${e.nodeId} which is not executing`);
        executed.add(e.nodeId);
        current = undefined;
        break;
      case 'success':
        if (current !== undefined) problems.push(`success while ${current} is still executing`);
        break;
      default:
        break;
    }
  });
  return problems;
}
