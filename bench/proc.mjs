// proc.mjs: CPU time from /proc, for the benches that pin nginx and a tool and charge each its own
// CPU (Linux only).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** The machine's CPU time so far, all cores, in seconds: busy and total (first line of /proc/stat). */
export function machineCpu() {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const total = fields.slice(0, 8).reduce((a, n) => a + n, 0); // user … steal (guest is inside user)
    return { busyS: (total - fields[3] - fields[4]) / CLK_TCK, totalS: total / CLK_TCK }; // less idle, iowait
  } catch {
    return { busyS: NaN, totalS: NaN };
  }
}

/** CPU seconds (user + system) used so far by the given processes, from /proc/<pid>/stat. */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // gone
    }
  }
  return ticks / CLK_TCK;
}

/** The children of a process (nginx's workers: the children of its master). */
export function childrenOf(parentPid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parentPid) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}
