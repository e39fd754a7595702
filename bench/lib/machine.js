// What the report says about the machine and the tools' versions.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { run } from './proc.js';

/** @returns {Promise<Record<string, string>>} */
export async function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  const version = async (/** @type {string} */ cmd, /** @type {string[]} */ args) => {
    const r = await run(cmd, args, { allowFail: true, timeoutMs: 10_000 }).catch(() => null);
    const line = r ? (r.stdout + r.stderr).split('\n').find((l) => /version|v\d/.test(l)) : undefined;
    return line ? line.trim() : 'not available';
  };
  return {
    date: new Date().toISOString(),
    cpus: String(os.cpus().length),
    cpuModel: model,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.release()} (${os.version()})`,
    node: process.version,
    bpftrace: await version('bpftrace', ['--version']),
    perf: await version('perf', ['version']),
    traceCmd: await version('trace-cmd', ['--version']),
  };
}
