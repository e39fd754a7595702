// trace-cmd: `trace-cmd record -e skb:kfree_skb -T` (a kernel stack with
// every event, zstd-compressed), then `trace-cmd report` offline. Runs under
// bench/build/ftrace_absent.so, without which trace-cmd refuses to start on
// this VM (see bench/shims/ftrace_absent.c).
import { readFileSync, writeFileSync } from 'node:fs';
import { run, startTool } from '../lib/proc.js';
import { decodeToFile, grepCount, grepLines } from '../lib/files.js';
import { writesAFile } from './file-tool.js';

const ENABLE = '/sys/kernel/tracing/events/skb/kfree_skb/enable';
const STACKTRACE = '/sys/kernel/tracing/options/stacktrace';

/**
 * Turns off what `trace-cmd record -e skb:kfree_skb -T` turns on. trace-cmd
 * does this itself when it exits normally; a SIGKILLed trace-cmd leaves the
 * event on, and every later drop would pay for ftrace (and skew every later
 * run). Called before each trace-cmd run and by the harness's cleanup.
 */
export function resetKfreeSkbTracing() {
  for (const file of [ENABLE, STACKTRACE]) {
    try {
      if (readFileSync(file, 'utf8').trim() !== '0') writeFileSync(file, '0');
    } catch { /* tracefs not mounted: nothing to reset */ }
  }
}

/** @type {import('./types.js').Runner} */
export const traceCmdRunner = {
  name: 'trace-cmd',
  label: 'trace-cmd record -T',
  command: 'LD_PRELOAD=bench/build/ftrace_absent.so trace-cmd record -e skb:kfree_skb -T -o trace.dat; trace-cmd report trace.dat > out.txt',
  async check() {
    // `trace-cmd --version` exits 255 after printing its version and usage
    const r = await run('trace-cmd', ['--version'], { allowFail: true }).catch((e) => ({ stdout: '', stderr: e.message }));
    return /trace-cmd version/.test(r.stdout + r.stderr) ? { ok: true } : { ok: false, why: `trace-cmd not runnable: ${r.stderr.trim()}` };
  },
  async start(ctx) {
    const data = `${ctx.prefix}.trace.dat`;
    // a stale '1' from a killed run would make the readiness check lie
    resetKfreeSkbTracing();
    const tool = startTool({
      rusageExec: ctx.paths.rusageExec,
      argv: ['trace-cmd', 'record', '-e', 'skb:kfree_skb', '-T', '-o', data],
      prefix: `${ctx.prefix}.trace-cmd`,
      env: { ...process.env, LD_PRELOAD: ctx.paths.ftraceShim },
    });
    // stdout is block-buffered into a file, so watch the event switch instead
    await tool.waitUntil(() => readFileSync(ENABLE, 'utf8').trim() === '1', 30_000, 'trace-cmd record');
    await new Promise((r) => setTimeout(r, 300));
    return {
      ...writesAFile(tool, data),
      async decode() {
        const text = `${ctx.prefix}.trace-cmd.txt`;
        const { seconds } = await decodeToFile('trace-cmd', ['report', data], text);
        // trace-cmd shows comm-tid only; the storm's thread ids were recorded.
        // Under load the softirq can run in ksoftirqd instead of the sender.
        const tids = (ctx.storm?.tids ?? []).join('|') || 'none';
        const captured = await grepCount(`(-(${tids}) +\\[[0-9]+\\] .*kfree_skb:)|(ksoftirqd.*kfree_skb:.*NO_SOCKET)`, text);
        let lost = 0;
        for (const line of await grepLines('EVENTS DROPPED|LOST [0-9]+ EVENTS', text)) {
          const m = line.match(/\[(\d+) EVENTS DROPPED\]|LOST (\d+) EVENTS/);
          if (m) lost += Number(m[1] ?? m[2]);
        }
        const made = ctx.storm?.expected_drops ?? captured;
        return { seconds, captured: Math.min(captured, made), toolLost: lost };
      },
    };
  },
};
