// A private network namespace to provoke drops in: loopback only, named
// uniquely, always removable. Every command runs through argument arrays
// (never a shell). destroy() is synchronous so it can run on a signal or
// exit path.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { ProvokeError } from './errors.js';

const NETNS_DIR = '/run/netns';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface ExecOptions {
  /** written to the command's stdin */
  input?: string;
  /** kill the command after this long (default 30 s) */
  timeoutMs?: number;
  /** return a non-zero exit instead of throwing */
  allowFailure?: boolean;
}

export interface ExecResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a host command synchronously; the one place that maps spawn failures to ProvokeErrors. */
export function runHostSync(argv: readonly string[], options: ExecOptions = {}): ExecResult {
  const [cmd, ...args] = argv;
  if (!cmd) throw new ProvokeError('BAD_ARGUMENT', 'empty command line');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = spawnSync(cmd, args, {
    input: options.input,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ProvokeError('TOOL_MISSING', `${cmd} not found: install it (apt-get install ${packageOf(cmd)})`);
    if (code === 'ETIMEDOUT') throw new ProvokeError('TIMEOUT', `${argv.join(' ')} did not finish within ${timeoutMs} ms`);
    throw new ProvokeError('EXEC_FAILED', `${argv.join(' ')}: ${r.error.message}`, { cause: r.error });
  }
  const result: ExecResult = { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  if (r.status !== 0 && !options.allowFailure) {
    const why = firstLine(r.stderr) || (r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`);
    throw new ProvokeError('EXEC_FAILED', `${argv.join(' ')} failed: ${why}`);
  }
  return result;
}

function packageOf(cmd: string): string {
  return ({ ip: 'iproute2', nft: 'nftables', bpftrace: 'bpftrace', bpftool: 'bpftool' } as Record<string, string>)[cmd] ?? cmd;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

export class NetnsSandbox {
  private destroyed = false;
  private readonly tables = new Set<string>();
  private readonly children = new Set<ChildProcess>();

  private constructor(
    /** the namespace's name under /run/netns */
    readonly name: string,
    /** the namespace's inode number: what BPF reads as net->ns.inum */
    readonly inode: number,
    /** ::1 is configured on lo (IPv6 scenarios need it) */
    readonly ipv6: boolean,
  ) {}

  /** Creates `<prefix>-<random>` with lo up. Needs root (CAP_SYS_ADMIN). */
  static create(prefix = 'dropcap'): NetnsSandbox {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) {
      throw new ProvokeError('BAD_ARGUMENT', `bad namespace prefix '${prefix}': use letters, digits, '-' and '_'`);
    }
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    const add = runHostSync(['ip', 'netns', 'add', name], { allowFailure: true, timeoutMs: 10_000 });
    if (add.status !== 0) {
      const why = firstLine(add.stderr);
      const hint = /permission|not permitted/i.test(why) ? 'run as root' : 'check that iproute2 works and /run/netns is writable';
      throw new ProvokeError('NETNS_CREATE', `cannot create network namespace ${name}: ${why}; ${hint}`);
    }
    try {
      runHostSync(['ip', '-n', name, 'link', 'set', 'lo', 'up'], { timeoutMs: 10_000 });
      const inode = statSync(`${NETNS_DIR}/${name}`).ino;
      return new NetnsSandbox(name, inode, enableLoopbackIpv6(name));
    } catch (err) {
      runHostSync(['ip', 'netns', 'delete', name], { allowFailure: true, timeoutMs: 10_000 });
      throw err;
    }
  }

  /** The namespace is still mounted under /run/netns. */
  exists(): boolean {
    return existsSync(`${NETNS_DIR}/${this.name}`);
  }

  /** Runs argv inside the namespace and waits for it (ip netns exec NAME argv...). */
  exec(argv: readonly string[], options: ExecOptions = {}): ExecResult {
    this.assertAlive();
    return runHostSync(['ip', 'netns', 'exec', this.name, ...argv], options);
  }

  /**
   * Runs argv inside the namespace without blocking; resolves when it exits,
   * rejects with TIMEOUT (after killing it) when it runs longer than timeoutMs.
   */
  run(argv: readonly string[], options: ExecOptions & { signal?: AbortSignal } = {}): Promise<ExecResult> {
    this.assertAlive();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const child = this.spawn(argv);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (err: Error | null, result?: ExecResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(result!);
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(new ProvokeError('TIMEOUT', `${argv.join(' ')} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        child.kill('SIGKILL');
        finish(new ProvokeError('TIMEOUT', `${argv.join(' ')} aborted`));
      };
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      if (options.input !== undefined) child.stdin!.end(options.input);
      else child.stdin!.end();
      child.on('error', (err) => finish(new ProvokeError('EXEC_FAILED', `${argv.join(' ')}: ${err.message}`, { cause: err })));
      child.on('close', (status, signal) => {
        const result = { status, signal, stdout, stderr };
        if (status !== 0 && !options.allowFailure) {
          const why = firstLine(stderr) || (signal ? `killed by ${signal}` : `exit status ${status}`);
          finish(new ProvokeError('EXEC_FAILED', `${argv.join(' ')} failed: ${why}`));
        } else finish(null, result);
      });
    });
  }

  /** Starts argv inside the namespace; destroy() kills it if it is still running. */
  spawn(argv: readonly string[]): ChildProcess {
    this.assertAlive();
    // ip netns exec execs the command itself, so child.pid is the command's pid
    const child = spawn('ip', ['netns', 'exec', this.name, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Creates `table inet <table> { <body> }` inside the namespace; destroy() removes it. */
  addNftTable(table: string, body: string): void {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(table)) throw new ProvokeError('BAD_ARGUMENT', `bad nft table name '${table}'`);
    this.exec(['nft', '-f', '-'], { input: `table inet ${table} {\n${body}\n}\n`, timeoutMs: 10_000 });
    this.tables.add(table);
  }

  deleteNftTable(table: string): void {
    if (!this.tables.has(table)) return;
    this.exec(['nft', 'delete', 'table', 'inet', table], { allowFailure: true, timeoutMs: 10_000 });
    this.tables.delete(table);
  }

  /** Tables present in the namespace right now, as "family name". */
  listNftTables(): string[] {
    const r = this.exec(['nft', 'list', 'tables'], { timeoutMs: 10_000 });
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('table '))
      .map((l) => l.slice('table '.length));
  }

  /**
   * Kills what this sandbox started, removes its nft tables and deletes the
   * namespace. Synchronous and idempotent; throws only when the namespace is
   * still there afterwards.
   */
  destroy(): void {
    if (this.destroyed) return;
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.children.clear();
    if (this.exists()) {
      for (const table of this.tables) {
        runHostSync(['ip', 'netns', 'exec', this.name, 'nft', 'delete', 'table', 'inet', table], { allowFailure: true, timeoutMs: 10_000 });
      }
      runHostSync(['ip', 'netns', 'delete', this.name], { allowFailure: true, timeoutMs: 10_000 });
    }
    this.tables.clear();
    if (this.exists()) {
      throw new ProvokeError('EXEC_FAILED', `network namespace ${this.name} is still there: remove it with 'ip netns delete ${this.name}'`);
    }
    this.destroyed = true;
  }

  private assertAlive(): void {
    if (this.destroyed) throw new ProvokeError('NETNS_DESTROYED', `network namespace ${this.name} was already destroyed`);
  }
}

/** ::1 appears on lo when IPv6 is on; a host may default to disable_ipv6=1 for new namespaces. */
function enableLoopbackIpv6(name: string): boolean {
  const hasLoopback6 = () =>
    / inet6 ::1\/128 /.test(runHostSync(['ip', '-n', name, '-6', 'addr', 'show', 'dev', 'lo'], { allowFailure: true, timeoutMs: 10_000 }).stdout);
  if (hasLoopback6()) return true;
  if (!existsSync('/proc/sys/net/ipv6')) return false;
  runHostSync(['ip', 'netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.lo.disable_ipv6=0'], { allowFailure: true, timeoutMs: 10_000 });
  return hasLoopback6();
}
