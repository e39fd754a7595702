// The one interface every tool of the benchmark implements.
//
// A runner is { name, label, kind, check(env), start(ctx) }. start() attaches
// the tool and resolves once it is ready to see drops; the harness then runs
// the storm, stores its result in ctx.storm, and calls handle.stop(), then
// handle.decode().

/**
 * @typedef {object} Paths
 * @property {string} repo
 * @property {string} rusageExec bench/build/rusage_exec
 * @property {string} ftraceShim bench/build/ftrace_absent.so
 * @property {string} cli packages/cli/dist/main.js
 * @property {string} dropgen tools/build/dropgen
 * @property {string} peers bench/peers
 */

/**
 * @typedef {object} RunContext
 * @property {Paths} paths
 * @property {string} prefix path prefix for this run's files (outputs, logs)
 * @property {string} netns the namespace the storm runs in
 * @property {number} dport the closed port the storm hits (unique per run)
 * @property {import('../lib/generator.js').StormResult|null} storm set before stop()
 */

/**
 * @typedef {object} StopResult
 * @property {number|null} captured drops of this storm the tool recorded, or
 *   null when only decode() can tell
 * @property {number|null} toolLost drops the tool itself says it lost
 * @property {number|null} bytesOnDisk what it wrote (null: writes nothing)
 * @property {number} toolCpuSeconds user+sys of the tool, children included
 * @property {string} [note]
 */

/**
 * @typedef {object} DecodeResult
 * @property {number} seconds wall time of the offline decode
 * @property {number} [dbSeconds] dropcap: wall time of `analyze --db`, which also writes every drop's row into a database file
 * @property {number} [captured] drops of this storm found by decoding
 * @property {number} [toolLost] losses reported while decoding
 */

/**
 * @typedef {object} RunHandle
 * @property {() => Promise<StopResult>} stop
 * @property {(() => Promise<DecodeResult>)|null} decode null: nothing to decode
 * @property {() => number} [cpuSecondsNow] the tool's CPU so far; sampled
 *   before the storm so start-up work is not charged to the drops
 */

/**
 * @typedef {object} Runner
 * @property {string} name short id used on the command line (--tools)
 * @property {string} label what the tables call it
 * @property {string} command the exact command line, for the report
 * @property {(paths: Paths) => Promise<{ ok: boolean, why?: string }>} check
 * @property {(ctx: RunContext) => Promise<RunHandle>} start
 */

export {};
