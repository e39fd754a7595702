export { sanitizeTerminal } from './sanitize.js';
export { toJsonValue, jsonReplacer, stringifyJson, toJsonLine } from './json.js';
export { csvField, csvRecord } from './csv.js';
export { shouldUseColor, palette, type Palette, type ColorTarget } from './color.js';
export { formatTable, tableCell, type TableOptions } from './table.js';
export { OUTPUT_FORMATS, withOutputOptions, type OutputFormat, type OutputOptions } from './format-option.js';
export { writeLines, type OutputStream } from './write-lines.js';
export { printRows, formatRows, rowObject, uniqueKeys, type PrintOptions } from './print-rows.js';
export {
  formatDropHeader,
  formatDropLine,
  formatTimeOfDay,
  type DropLineFields,
  type DropLineOptions,
} from './drop-line.js';
export { formatStack, trimStack, isTracingFrame, frameFunction, type StackOptions } from './stack.js';
export {
  sparkline,
  localeSupportsUnicode,
  timeBuckets,
  formatDuration,
  type SparklineOptions,
  type TimeBuckets,
} from './histogram.js';
export { createProgressBar, formatProgress, type ProgressBar, type ProgressTarget } from './progress.js';
export { formatDropBlock, type DropBlockOptions } from './drop-block.js';
