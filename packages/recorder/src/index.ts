// @dropcap/recorder: records kernel TCP drops with eBPF into capture files.
import type { CommandModule } from 'yargs';
import { demoCommand } from './commands/demo.js';
import { reasonsCommand } from './commands/reasons.js';
import { recordCommand } from './commands/record.js';

export { record, DEFAULT_RECORD_OPTIONS, RecordError } from './session.js';
export type { RecordOptions, RecordSummary, StackMode } from './session.js';
export { planAttach, probeKernelFeatures, loadVmlinuxBtf } from './kernel/features.js';
export type { AttachMethod, AttachPlan, KernelFeatures } from './kernel/features.js';
export { parseBtf, dropReasonEnums } from './kernel/btf.js';
export { toTracerFilters, parseHost, FilterError } from './filters.js';
export type { FilterOptions } from './filters.js';
export { checkRecordPrivileges, effectiveCaps } from './kernel/privileges.js';
export { LivePrinter } from './live.js';

/** The commands the `dropcap` bin mounts when the recorder is installed. */
export const recorderCommands = [recordCommand, demoCommand, reasonsCommand] as unknown as CommandModule[];
