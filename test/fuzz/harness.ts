// Runs the real CLI (`node bin/kvlens.js …`, the shipped bundle) as a child process and measures what a user
// would suffer: wall time, exit status, peak RSS of the CLI process, and whether any process it started is still
// alive after it exited. Every run is bounded: past its time limit or its memory cap the harness kills the CLI's
// process group and every descendant it saw, so a hang or a blow-up can never block or starve the machine.
//
// Peak RSS: /proc/<pid>/status VmHWM polled every 10 ms (a high-water mark, so a spike between polls is still
// seen at the next poll) plus the CLI's own getrusage at exit (rssHook.js), for the last milliseconds.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(REPO, 'bin', 'kvlens.js');
const HOOK = path.join(REPO, 'test', 'fuzz', 'rssHook.js');

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /**
   * CPU time (user + system) of the CLI's main thread, ms: the work a user waits for on an idle machine, whatever
   * else runs here. (V8's parallel garbage-collector threads work alongside it: they add CPU, not wall time.)
   */
  cpuMs: number;
  /** CPU time of the whole CLI process (every thread), ms: reported beside cpuMs. */
  processCpuMs: number;
  /** Peak resident set of the CLI process itself, bytes. */
  peakRssBytes: number;
  timedOut: boolean;
  /** Killed by the harness for passing `rssCapBytes`. */
  overMemory: boolean;
  /** From the drive's mark() (e.g. the signal it sent) to the CLI's exit, ms; undefined without a mark. */
  msAfterMark?: number;
  /** Descendants of the CLI (any process group) still alive 1 s after the CLI exited; the harness then killed them. */
  survivors: { pid: number; cmd: string }[];
}

export interface DriveHandle {
  /** Pids of the CLI's descendants seen so far (a fresh scan). */
  descendants: () => number[];
  stderr: () => string;
  /** Marks now (call it when sending the signal): the run reports the time from here to the exit. */
  mark: () => void;
}

export interface CliRunOptions {
  cwd: string;
  /** Wall-clock limit; the CLI's group is killed after it. Default 30 s (the 10 s CPU bar × the wall slack). */
  timeoutMs?: number;
  /** The CLI is killed when its RSS passes this. Default 2 GiB (the harness protects a shared machine). */
  rssCapBytes?: number;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Called once the CLI runs: send signals, watch files. The run ends when the CLI exits. */
  drive?: (child: ChildProcess, h: DriveHandle) => Promise<void> | void;
}


const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process (or of its main thread) from /proc/<pid>[/task/<pid>]/stat, ms. */
function readCpuMs(pid: number, mainThread = false): number | undefined {
  try {
    const stat = fs.readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function readStatus(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

/** pid → [ppid, state] for every process (Linux /proc). */
function processTable(): Map<number, { ppid: number; state: string }> {
  const t = new Map<number, { ppid: number; state: string }>();
  let names: string[] = [];
  try { names = fs.readdirSync('/proc'); } catch { return t; }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'latin1');
      // comm may contain spaces and parentheses: fields after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      t.set(Number(n), { state: rest[0]!, ppid: Number(rest[1]) });
    } catch { /* gone */ }
  }
  return t;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim().slice(0, 200); } catch { return '?'; }
}

function killAll(pids: Iterable<number>, groupOf?: number): void {
  if (groupOf) { try { process.kill(-groupOf, 'SIGKILL'); } catch { /* gone */ } }
  for (const p of pids) {
    try { process.kill(-p, 'SIGKILL'); } catch { /* not a group leader or gone */ }
    try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
}

export function runCli(args: string[], opts: CliRunOptions): Promise<CliRun> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const cap = opts.rssCapBytes ?? 2 * 1024 ** 3;
  const rssFile = path.join(os.tmpdir(), `kvlens-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--require', HOOK, CLI, ...args], {
    cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...opts.env, KVLENS_RSS_FILE: rssFile },
  });
  const pid = child.pid!;
  let stdout = '';
  let stderr = '';
  const keep = (s: string, add: string) => (s.length > 1_000_000 ? s : s + add);
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout = keep(stdout, d); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = keep(stderr, d); });
  child.stdin!.on('error', () => { /* the CLI may not read stdin */ });
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  else child.stdin!.end();

  let peak = 0;
  let cpu = 0;
  let processCpu = 0;
  let timedOut = false;
  let overMemory = false;
  const seen = new Set<number>();
  const scanDescendants = () => {
    const table = processTable();
    const kids = new Map<number, number[]>();
    for (const [p, info] of table) { const a = kids.get(info.ppid) ?? []; a.push(p); kids.set(info.ppid, a); }
    const stack = [pid];
    while (stack.length) {
      const p = stack.pop()!;
      for (const k of kids.get(p) ?? []) if (!seen.has(k)) { seen.add(k); stack.push(k); }
    }
  };
  const poll = setInterval(() => {
    const s = readStatus(pid);
    if (!s) return;
    peak = Math.max(peak, s.hwm);
    cpu = Math.max(cpu, readCpuMs(pid, true) ?? 0);
    processCpu = Math.max(processCpu, readCpuMs(pid) ?? 0);
    if (s.rss > cap && !overMemory) { overMemory = true; killAll(seen, pid); }
  }, 10);
  const scan = setInterval(scanDescendants, 100);
  const timer = setTimeout(() => { timedOut = true; scanDescendants(); killAll(seen, pid); }, timeoutMs);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close': after the exit and after stdout/stderr have ended (a grandchild holding them open delays it, so
    // the wall-clock limit still applies).
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let markAt: bigint | undefined;
  const driven = opts.drive ? Promise.resolve(opts.drive(child, { descendants: () => { scanDescendants(); return [...seen]; }, stderr: () => stderr, mark: () => { markAt = process.hrtime.bigint(); } })).catch((e: Error) => { stderr += `\n[harness drive failed: ${e.message}]`; }) : Promise.resolve();

  return exited.then(async ({ code, signal }) => {
    const end = process.hrtime.bigint();
    const ms = Number(end - t0) / 1e6;
    const msAfterMark = markAt !== undefined ? Number(end - markAt) / 1e6 : undefined;
    clearInterval(poll); clearInterval(scan); clearTimeout(timer);
    try {
      for (const line of fs.readFileSync(rssFile, 'latin1').split('\n')) {
        const [p, b, us, main] = line.split(' ').map(Number);
        if (p === pid && b) peak = Math.max(peak, b!);
        if (p === pid && us) processCpu = Math.max(processCpu, us! / 1000);
        if (p === pid && main) cpu = Math.max(cpu, main!);
      }
      fs.rmSync(rssFile, { force: true });
    } catch { /* killed before its exit hook ran */ }
    // Whatever the CLI started must be gone within a second of its exit.
    const deadline = Date.now() + 1000;
    let alive = [...seen].filter(isAlive);
    while (alive.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      alive = alive.filter(isAlive);
    }
    const survivors = alive.map((p) => ({ pid: p, cmd: cmdline(p) }));
    killAll(alive);
    try { process.kill(-pid, 'SIGKILL'); } catch { /* group gone */ }
    await driven;
    return { args, code, signal, stdout, stderr, ms, cpuMs: cpu, processCpuMs: processCpu, msAfterMark, peakRssBytes: peak, timedOut, overMemory, survivors };
  });
}

export const MiB = 1024 * 1024;

/** One line for a table: exit status, time, peak RSS and the first line of stderr. */
export function summarise(r: CliRun): string {
  const status = r.timedOut ? 'HANG (killed)' : r.overMemory ? 'OOM (killed)' : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  const first = (r.stderr.split('\n').find((l) => l.trim()) ?? r.stdout.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 140);
  return `${status}, ${(r.ms / 1000).toFixed(1)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s main thread, ${(r.processCpuMs / 1000).toFixed(1)} s in all)${r.msAfterMark !== undefined ? ` (${(r.msAfterMark / 1000).toFixed(1)} s after the signal)` : ''}, ${(r.peakRssBytes / MiB).toFixed(0)} MB${r.survivors.length ? `, ${r.survivors.length} process(es) outlived it` : ''}: ${first}`;
}
