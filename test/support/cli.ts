// Runs the built `dropcap` binary as a user would, for CLI and kernel tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DROPCAP = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(DROPCAP)) throw new Error(`${DROPCAP} is missing: run 'npm run build' before the cli and kernel tests`);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs dropcap to completion (bounded by `timeoutMs`). */
export function runDropcap(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
  assertBuilt();
  const r = spawnSync(process.execPath, [DROPCAP, ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    input: opts.input ?? '',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `dropcap record` running in the background. */
export class RunningRecorder {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts `dropcap record -v ARGS` and resolves once the BPF program is attached. */
  static async start(args: string[], timeoutMs = 30_000): Promise<RunningRecorder> {
    assertBuilt();
    const child = spawn(process.execPath, [DROPCAP, 'record', '-v', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const rec = new RunningRecorder(child);
    const deadline = Date.now() + timeoutMs;
    while (!/attached via/.test(rec.stderr)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`dropcap record did not attach: ${rec.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return rec;
  }

  /** Sends `signal` after letting the last batch leave the poll thread; resolves on exit. */
  async stop(signal: NodeJS.Signals = 'SIGINT') {
    await new Promise((r) => setTimeout(r, 200));
    this.child.kill(signal);
    return this.exited;
  }
}
