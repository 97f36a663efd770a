import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of the Chromium processes under a process (this one: the browser it launched),
 * sampled from /proc (Linux), grouped by Chromium process type. Other processes are skipped.
 */
export interface MemoryPeaks {
  /** Highest sum over the whole tree at one sample (MiB). */
  totalMiB: number;
  /** Highest value per group (`gpu-process`, `renderer`, `browser`, `utility`, ...), MiB. */
  byType: Record<string, number>;
}

function children(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  return kids;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function typeOf(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/chrom/i.test(cmd.split('\0')[0] ?? '')) return '';
    return /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}

/** Samples the tree under `rootPid` every `everyMs` until stopped; returns the peaks. */
export function sampleTreeMemory(rootPid: number, everyMs = 250): { stop(): MemoryPeaks; peek(): MemoryPeaks } {
  const peaks: MemoryPeaks = { totalMiB: 0, byType: {} };
  const sample = () => {
    const kids = children();
    const byType: Record<string, number> = {};
    const walk = (pid: number) => {
      const type = typeOf(pid);
      if (type) byType[type] = (byType[type] ?? 0) + rssMiB(pid);
      for (const k of kids.get(pid) ?? []) walk(k);
    };
    walk(rootPid);
    const total = Object.values(byType).reduce((a, b) => a + b, 0);
    peaks.totalMiB = Math.max(peaks.totalMiB, total);
    for (const [t, v] of Object.entries(byType)) peaks.byType[t] = Math.max(peaks.byType[t] ?? 0, v);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  const copy = (): MemoryPeaks => ({ totalMiB: peaks.totalMiB, byType: { ...peaks.byType } });
  return {
    peek: copy,
    stop() {
      clearInterval(timer);
      sample();
      return copy();
    },
  };
}
