import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
/** Whether runs can be pinned to one core (taskset, on Linux). */
export const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export interface CliRun {
  /** Milliseconds, measured here. */
  wall: number;
  /** User + system seconds and peak RSS in MB, from /usr/bin/time when present. */
  cpu?: number;
  rssMb?: number;
  code: number | null;
}

/**
 * One `node CLI audit --snapshot FILE` process, stdout to /dev/null, pinned to core 0 when taskset
 * exists: the whole process, as a user runs it.
 */
export function runCli(cli: string, file: string): CliRun {
  const command = [
    ...(pinned ? ['taskset', '-c', '0'] : []),
    process.execPath,
    cli,
    'audit',
    '--snapshot',
    file,
  ];
  const withTime = time !== undefined ? [time, '-f', 'lvs-bench %U %S %M', ...command] : command;
  const start = process.hrtime.bigint();
  const child = spawnSync(withTime[0]!, withTime.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const line = child.stderr.split('\n').find((l) => l.startsWith('lvs-bench '));
  if (line === undefined) return { wall, code: child.status };
  const [user, sys, rssKb] = line.split(' ').slice(1).map(Number);
  return { wall, cpu: (user ?? 0) + (sys ?? 0), rssMb: (rssKb ?? 0) / 1024, code: child.status };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The value at fraction q (0..1) of the sorted values, by linear interpolation. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}
