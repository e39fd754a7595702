// Runs tools/build/dropgen (the C helper for raw sockets and socket options
// Node cannot reach) inside a sandbox and parses its one JSON line.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProvokeError } from './errors.js';
import type { NetnsSandbox } from './netns.js';

export interface DropgenOptions {
  /** path of the dropgen binary (default: <repo>/tools/build/dropgen) */
  dropgen?: string;
  timeoutMs?: number;
}

/** src/provoke and dist/provoke are both four levels below the repository root. */
export function defaultDropgenPath(): string {
  return fileURLToPath(new URL('../../../../tools/build/dropgen', import.meta.url));
}

export function resolveDropgen(path?: string): string {
  const bin = path ?? defaultDropgenPath();
  if (!existsSync(bin)) throw new ProvokeError('DROPGEN_MISSING', `dropgen not found at ${bin}: build it with 'make -C tools'`);
  return bin;
}

export type DropgenOutput = Record<string, unknown>;

export function runDropgen(sandbox: NetnsSandbox, args: readonly string[], options: DropgenOptions = {}): DropgenOutput {
  const bin = resolveDropgen(options.dropgen);
  const r = sandbox.exec([bin, ...args], { timeoutMs: options.timeoutMs ?? 15_000 });
  return parseDropgenOutput(args, r.stdout);
}

export async function runDropgenAsync(
  sandbox: NetnsSandbox,
  args: readonly string[],
  options: DropgenOptions & { signal?: AbortSignal } = {},
): Promise<DropgenOutput> {
  const bin = resolveDropgen(options.dropgen);
  const runOptions = { timeoutMs: options.timeoutMs ?? 15_000, ...(options.signal ? { signal: options.signal } : {}) };
  const r = await sandbox.run([bin, ...args], runOptions);
  return parseDropgenOutput(args, r.stdout);
}

function parseDropgenOutput(args: readonly string[], stdout: string): DropgenOutput {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as DropgenOutput;
  } catch {
    // fall through to the error below
  }
  throw new ProvokeError('BAD_OUTPUT', `dropgen ${args.join(' ')} printed no JSON result: rebuild it with 'make -C tools'`);
}

/** A number field of dropgen's output; throws BAD_OUTPUT if absent. */
export function numberField(out: DropgenOutput, key: string): number {
  const v = out[key];
  if (typeof v !== 'number') throw new ProvokeError('BAD_OUTPUT', `dropgen output lacks numeric '${key}': rebuild it with 'make -C tools'`);
  return v;
}

export function stringField(out: DropgenOutput, key: string): string {
  const v = out[key];
  if (typeof v !== 'string') throw new ProvokeError('BAD_OUTPUT', `dropgen output lacks string '${key}': rebuild it with 'make -C tools'`);
  return v;
}
