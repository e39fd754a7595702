// Reading tools' output files without holding them in memory: decoded text
// from perf script or trace-cmd report can be gigabytes.
import { createReadStream, statSync, existsSync, openSync, closeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ToolError, lastLines } from './proc.js';

/** @param {string} path @returns {number} bytes, 0 when absent */
export function fileSize(path) {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Calls onLine for each line of a file.
 * @param {string} path
 * @param {(line: string) => void} onLine
 */
export async function eachLine(path, onLine) {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) onLine(line);
}

/**
 * Runs a decoder with its stdout going to a file, as a user would
 * (`perf script > out.txt`), and times it. Counting what it wrote is done
 * afterwards, outside the timing, so the harness never slows the decoder.
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} outPath
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [o]
 * @returns {Promise<{ seconds: number, stderr: string }>}
 */
export function decodeToFile(cmd, args, outPath, o = {}) {
  return new Promise((resolve, reject) => {
    const out = openSync(outPath, 'w');
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', out, 'pipe'], env: o.env ?? process.env });
    closeSync(out);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { if (stderr.length < 1 << 16) stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    child.on('error', (e) => { clearTimeout(timer); reject(new ToolError(`${cmd}: ${e.message}`)); });
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new ToolError(`${cmd} exited ${code}: ${lastLines(stderr)}`));
      else resolve({ seconds, stderr });
    });
  });
}

/**
 * Lines of a (possibly huge) file matching an extended regex, counted by
 * grep, which reads gigabytes per second.
 * @param {string} pattern grep -E pattern
 * @param {string} path
 * @returns {Promise<number>}
 */
export function grepCount(pattern, path) {
  return new Promise((resolve, reject) => {
    const child = spawn('grep', ['-E', '-c', '--', pattern, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', (e) => reject(new ToolError(`grep: ${e.message}`)));
    // grep exits 1 when nothing matched: that is a count of 0
    child.on('close', (code) => (code === 0 || code === 1 ? resolve(Number(stdout.trim()) || 0) : reject(new ToolError(`grep: ${lastLines(stderr)}`))));
  });
}

/**
 * The lines of a file matching an extended regex (for rare lines only,
 * such as loss reports).
 * @param {string} pattern
 * @param {string} path
 * @returns {Promise<string[]>}
 */
export function grepLines(pattern, path) {
  return new Promise((resolve, reject) => {
    const child = spawn('grep', ['-E', '-m', '100000', '--', pattern, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.on('error', (e) => reject(new ToolError(`grep: ${e.message}`)));
    child.on('close', (code) => (code === 0 || code === 1 ? resolve(stdout.split('\n').filter(Boolean)) : reject(new ToolError(`grep exited ${code}`))));
  });
}
