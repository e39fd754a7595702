// vitest helpers for kernel tests: a root gate that fails in CI instead of
// skipping, and a per-file NetnsSandbox that is always destroyed.
import { afterAll, beforeAll } from 'vitest';
import { NetnsSandbox } from '../../packages/recorder/src/provoke/index.js';

let warned = false;

/**
 * true when the process is root. Otherwise: in CI (process.env.CI set) it
 * throws, so the kernel test file fails (a skipped kernel test in CI is a
 * failure); elsewhere it warns once and returns false so the caller skips.
 * Use it as `describe.skipIf(!requireRoot())(...)`.
 */
export function requireRoot(): boolean {
  if (process.getuid?.() === 0) return true;
  const why = 'kernel tests need root (BPF, network namespaces): run `sudo npx vitest run --project kernel`';
  if (process.env['CI']) throw new Error(`${why}; in CI a skipped kernel test is a failure`);
  if (!warned) {
    warned = true;
    console.warn(`skipping kernel tests: ${why}`);
  }
  return false;
}

const live = new Set<NetnsSandbox>();

// a worker killed mid-file still runs exit handlers; destroy() is synchronous
process.once('exit', () => {
  for (const sb of live) {
    try {
      sb.destroy();
    } catch {
      // best effort on exit: nothing left to report to
    }
  }
});

/**
 * Creates one sandbox for the file (beforeAll) and destroys it (afterAll).
 * Returns an accessor: call it inside tests and hooks, not at collection.
 */
export function useNetnsSandbox(prefix = 'dctest'): () => NetnsSandbox {
  let sandbox: NetnsSandbox | undefined;
  beforeAll(() => {
    sandbox = NetnsSandbox.create(prefix);
    live.add(sandbox);
  });
  afterAll(() => {
    if (!sandbox) return;
    live.delete(sandbox);
    sandbox.destroy();
  });
  return () => {
    if (!sandbox) throw new Error('the netns sandbox is only available inside tests and hooks');
    return sandbox;
  };
}
