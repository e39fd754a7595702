// Starting, watching and stopping the processes of a benchmark run. Every
// tool runs under bench/build/rusage_exec so that its CPU (children
// included) and peak RSS are known after it exits.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Raised when a tool misbehaves (does not start, exits early, ...). */
export class ToolError extends Error {
  /** @param {string} message @param {string} [code] */
  constructor(message, code = 'ETOOL') {
    super(message);
    this.name = 'ToolError';
    this.code = code;
  }
}

/** Every process we started and have not yet seen exit: killed on cleanup. */
const live = new Set();

/**
 * @typedef {object} Usage what rusage_exec measured
 * @property {number} exit
 * @property {number} signal
 * @property {number} user_s
 * @property {number} sys_s
 * @property {number} maxrss_kb
 * @property {number} wall_s
 */

/**
 * A started tool: the wrapper process plus the files its output goes to.
 */
export class Tool {
  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {string} usagePath
   * @param {string} stdoutPath
   * @param {string} stderrPath
   */
  constructor(child, usagePath, stdoutPath, stderrPath) {
    this.child = child;
    this.usagePath = usagePath;
    this.stdoutPath = stdoutPath;
    this.stderrPath = stderrPath;
    /** @type {Promise<{code: number|null, signal: string|null}>} */
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      });
    });
    this.hasExited = false;
    void this.exited.then(() => { this.hasExited = true; });
  }

  /** @returns {string} */
  stdout() { return existsSync(this.stdoutPath) ? readFileSync(this.stdoutPath, 'utf8') : ''; }

  /** @returns {string} */
  stderr() { return existsSync(this.stderrPath) ? readFileSync(this.stderrPath, 'utf8') : ''; }

  /**
   * Polls until ready() is true; throws if the tool exits or time runs out.
   * @param {() => boolean} ready
   * @param {number} timeoutMs
   * @param {string} what
   */
  async waitUntil(ready, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ready()) return;
      if (this.hasExited) throw new ToolError(`${what}: exited before it was ready: ${lastLines(this.stderr())}`);
      await sleep(50);
    }
    throw new ToolError(`${what}: not ready after ${timeoutMs} ms: ${lastLines(this.stderr())}`);
  }

  /**
   * Stops the tool like Ctrl-C would (SIGINT, forwarded by the wrapper),
   * escalating to SIGTERM then SIGKILL, and returns what it cost.
   * @param {number} [graceMs] how long it may take to flush after SIGINT
   * @returns {Promise<Usage>}
   */
  async stop(graceMs = 30_000) {
    if (!this.hasExited) {
      this.child.kill('SIGINT');
      if (!(await exitsWithin(this, graceMs))) {
        this.child.kill('SIGTERM');
        if (!(await exitsWithin(this, 3000))) killGroup(this.child);
      }
    }
    await this.exited;
    return this.usage();
  }

  /**
   * CPU seconds (user+sys) the tool's process tree has used so far, from
   * /proc/PID/stat of every live descendant plus what its exited children
   * left in cutime/cstime. Taken just before the storm, it lets the report
   * leave out start-up work (bpftrace compiling, node loading).
   * @returns {number}
   */
  cpuSecondsNow() {
    return this.child.pid ? treeCpuSeconds(this.child.pid) : 0;
  }

  /** @returns {Usage} */
  usage() {
    if (!existsSync(this.usagePath)) throw new ToolError(`no usage report at ${this.usagePath} (was the wrapper killed?)`);
    return JSON.parse(readFileSync(this.usagePath, 'utf8'));
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ; Linux reports 100 on every architecture we run on

/**
 * @param {number} root
 * @returns {number} seconds
 */
export function treeCpuSeconds(root) {
  /** @type {Map<number, { ppid: number, ticks: number }>} */
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // fields after the parenthesised comm, which may itself contain spaces
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[1] ppid, f[11..14] utime stime cutime cstime
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch { /* exited while we looked */ }
  }
  let ticks = 0;
  const wanted = new Set([root]);
  // parents usually have smaller pids, but not always: iterate to a fixpoint
  for (let changed = true; changed;) {
    changed = false;
    for (const [pid, p] of procs) {
      if (!wanted.has(pid) && wanted.has(p.ppid)) { wanted.add(pid); changed = true; }
    }
  }
  for (const pid of wanted) ticks += procs.get(pid)?.ticks ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/**
 * @param {Tool} tool
 * @param {number} ms
 */
async function exitsWithin(tool, ms) {
  const timer = sleep(ms).then(() => false);
  return Promise.race([tool.exited.then(() => true), timer]);
}

/** @param {import('node:child_process').ChildProcess} child */
function killGroup(child) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // not a group leader (the generator): kill the process alone
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** @param {string} text */
export function lastLines(text, n = 3) {
  const lines = text.trim().split('\n');
  // a thrown error's own line says more than node's stack trailer
  const error = lines.find((l) => /^\w*Error\b|^dropcap: /.test(l.trim()));
  return error?.trim() ?? (lines.slice(-n).join(' | ') || '(no output)');
}

/**
 * Starts argv under rusage_exec, stdout and stderr to files, in its own
 * process group (so a stray tool can be killed with everything it forked).
 * @param {object} o
 * @param {string} o.rusageExec path of bench/build/rusage_exec
 * @param {string[]} o.argv
 * @param {string} o.prefix path prefix for the .usage.json/.stdout/.stderr files
 * @param {NodeJS.ProcessEnv} [o.env]
 * @param {string} [o.cwd]
 * @returns {Tool}
 */
export function startTool({ rusageExec, argv, prefix, env, cwd }) {
  const usagePath = `${prefix}.usage.json`;
  const stdoutPath = `${prefix}.stdout`;
  const stderrPath = `${prefix}.stderr`;
  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  const child = spawn(rusageExec, [usagePath, ...argv], {
    stdio: ['ignore', out, err],
    detached: true,
    env: env ?? process.env,
    cwd,
  });
  closeSync(out);
  closeSync(err);
  live.add(child);
  return new Tool(child, usagePath, stdoutPath, stderrPath);
}

/**
 * Runs a command to completion, collecting stdout/stderr (small outputs only).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ timeoutMs?: number, env?: NodeJS.ProcessEnv, input?: string, allowFail?: boolean }} [o]
 * @returns {Promise<{ code: number|null, stdout: string, stderr: string, seconds: number }>}
 */
export function run(cmd, args, o = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: o.env ?? process.env, detached: true });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    if (child.stdin) {
      child.stdin.on('error', () => { /* the command exited without reading its input */ });
      child.stdin.end(o.input);
    }
    const timer = o.timeoutMs ? setTimeout(() => killGroup(child), o.timeoutMs) : null;
    child.on('error', (e) => { live.delete(child); reject(new ToolError(`${cmd}: ${e.message}`)); });
    child.on('close', (code) => {
      live.delete(child);
      if (timer) clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0 && !o.allowFail) {
        reject(new ToolError(`${cmd} ${args.join(' ')}: exit ${code}: ${lastLines(stderr)}`));
        return;
      }
      resolve({ code, stdout, stderr, seconds });
    });
  });
}

/**
 * Registers a child started elsewhere (the generator) so killAll() reaches it.
 * @param {import('node:child_process').ChildProcess} child
 */
export function track(child) {
  live.add(child);
  child.on('exit', () => live.delete(child));
}

/** Kills (SIGKILL, whole process group) everything still running. */
export function killAll() {
  for (const child of live) killGroup(child);
  live.clear();
}
