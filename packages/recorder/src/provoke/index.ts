// Deterministic drop provocation in a private network namespace: used by the
// kernel tests, `dropcap demo` and the benchmark.
export { ProvokeError, type ProvokeErrorCode } from './errors.js';
export { NetnsSandbox, runHostSync, type ExecOptions, type ExecResult } from './netns.js';
export { defaultDropgenPath, resolveDropgen, type DropgenOptions } from './dropgen.js';
export {
  SCENARIOS,
  abortOnData,
  closedPort,
  closedPortV4,
  closedPortV6,
  invalidSequence,
  listenOverflow,
  netfilterDrop,
  oldSequence,
  runAllScenarios,
  socketFilter,
  tcpFlags,
  type ExpectedDrop,
  type Family,
  type ScenarioName,
  type ScenarioOptions,
  type ScenarioResult,
} from './scenarios.js';
export { runStorm, type StormOptions, type StormResult } from './storm.js';
export { BpftraceDropWatch, readDropReasonNames, type DropWatchOptions, type DropWatchResult, type ObservedDrop } from './drop-watch.js';
export { tcpFlagsByte, tcpFlagsText, type TcpFlagName } from './tcp-flags.js';
