// Is anything else on the host skewing a run? Other BPF programs attached to
// kfree_skb add their cost to every drop, and other drop storms compete for
// the CPUs. The report flags runs that had company; it cannot prevent it.
import { run } from './proc.js';

/**
 * @returns {Promise<string|null>} a note describing the company, or null
 */
export async function hostCompany() {
  const parts = [];
  const perf = await run('bpftool', ['perf', 'list'], { allowFail: true, timeoutMs: 5000 }).catch(() => null);
  const tracers = perf ? perf.stdout.split('\n').filter((l) => l.includes('kfree_skb')).length : 0;
  if (tracers > 0) parts.push(`${tracers} other BPF program(s) on kfree_skb`);
  const ps = await run('pgrep', ['-x', 'dropgen'], { allowFail: true, timeoutMs: 5000 }).catch(() => null);
  const storms = ps ? ps.stdout.split('\n').filter(Boolean).length : 0;
  if (storms > 0) parts.push(`${storms} other dropgen process(es)`);
  return parts.length ? `host busy at start: ${parts.join(', ')}` : null;
}
