// The load: tools/build/dropgen storm inside the benchmark's namespace. Each
// RST to the closed port is exactly one NO_SOCKET drop, processed in the
// sender's own softirq, so the sender's CPU per packet is what a host under
// a drop storm pays for the drop path plus whatever tracer is attached.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { ToolError, lastLines, track } from './proc.js';

/**
 * @typedef {object} StormResult dropgen's JSON line, plus what we observed
 * @property {number} sent
 * @property {number} elapsed_s
 * @property {number} rate
 * @property {number} cpu_ns_per_packet
 * @property {number} expected_drops
 * @property {number} tcp_in_segs
 * @property {number} pid the sender's pid (perf script shows it)
 * @property {number[]} tids its threads (the comm-tid trace-cmd shows)
 */

/**
 * Sends `count` RSTs at `rate` per second (0 = as fast as possible).
 * @param {object} o
 * @param {string} o.dropgen
 * @param {string} o.netns
 * @param {number} o.rate
 * @param {number} o.count
 * @param {number} o.threads
 * @param {number} o.dport
 * @param {boolean} [o.v6]
 * @param {number} [o.timeoutMs]
 * @returns {Promise<StormResult>}
 */
export function runStorm(o) {
  const args = ['netns', 'exec', o.netns, o.dropgen, 'storm',
    '--addr', o.v6 ? '::1' : '127.0.0.1', '--dport', String(o.dport),
    '--count', String(o.count), '--rate', String(o.rate), '--threads', String(o.threads)];
  return new Promise((resolve, reject) => {
    // `ip netns exec` execs dropgen in place, so this pid is dropgen's
    const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const tids = new Set();
    const watch = setInterval(() => {
      try {
        for (const t of readdirSync(`/proc/${child.pid}/task`)) tids.add(Number(t));
      } catch { /* exited */ }
    }, 5);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('error', (e) => { clearInterval(watch); clearTimeout(timer); reject(new ToolError(`dropgen: ${e.message}`)); });
    child.on('close', (code) => {
      clearInterval(watch);
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new ToolError(`dropgen storm exited ${code}: ${lastLines(stderr || stdout)}`));
        return;
      }
      const result = JSON.parse(line);
      if (result.error) {
        reject(new ToolError(`dropgen storm: ${result.error}`));
        return;
      }
      resolve({ ...result, pid: child.pid ?? 0, tids: [...tids] });
    });
  });
}
