export { analyzeCommand, createAnalyzeCommand, ANALYZE_EPILOG } from './analyze.js';
export { createSummaryCommand, runSummary, withSummaryOptions, type SummaryArgs } from './summary.js';
export { createListCommand, runList, withListOptions, type ListArgs } from './list.js';
export { createQueryCommand, runQuery, withQueryOptions, type QueryArgs } from './query.js';
export { createInfoCommand, runInfo, collectInfo, withInfoOptions, type InfoArgs, type CaptureInfoRecord } from './info.js';
export { createSchemaCommand, runSchema, type SchemaArgs } from './schema.js';
export { withCaptureOptions, openCaptures, type CaptureOptions } from './capture-options.js';
export {
  withFilterOptions,
  parseFilters,
  buildDropFilter,
  hasFilters,
  addressSpellings,
  type FilterOptions,
  type DropFilter,
  type SqlCondition,
} from './filters.js';
export { parseTimeSpec, resolveTimeSpec, parseDuration, parseIsoToNs, type TimeSpec, type CaptureSpan } from './time-spec.js';
export { captureSpans } from './capture-spans.js';
export { collectSummary, DropRowsNeeded, type SummaryData, type SummaryOptions } from './summary-data.js';
export { UsageError } from './errors.js';
export { processIO, type CommandIO } from './io.js';
