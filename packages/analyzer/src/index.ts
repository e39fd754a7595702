// @dropcap/analyzer: decode, symbolize and query dropcap captures in SQLite.

// ---- decoding (engineer A) ----
export { AnalyzerError, type AnalyzerErrorCode } from './errors.js';
export { formatAddress, formatIPv4, formatIPv6, AddressCache } from './decode/address.js';
export { tcpStateName, tcpFlagsString } from './decode/tcp.js';
export { Symbolizer, formatSymbol, formatRawAddress, type SymbolHit } from './decode/symbolizer.js';
export { ReasonTable, shortReasonName, type ReasonEntry } from './decode/reasons.js';
export { ClockMap, isoFromRealtimeNs, parseClockPair, type ClockPair } from './decode/clock-map.js';
export { RecordFields } from './decode/record-fields.js';
export { CaptureContext, type CaptureHeader, type InterfaceInfo } from './decode/capture-context.js';
export { EventDecoder, stackStatus } from './decode/event-decoder.js';
export { DROP_COLUMNS, NO_REASON_NAME, type DropRow, type SkSource, type StackStatus } from './decode/drop-row.js';

// ---- SQLite (engineer A) ----
export {
  SCHEMA,
  SCHEMA_VERSION,
  schemaDdl,
  schemaMarkdown,
  schemaText,
  relation,
  type SchemaColumn,
  type SchemaRelation,
  type SqlType,
} from './sqlite/schema.js';
export { loadCaptures, type Analysis, type LoadOptions } from './sqlite/load.js';
export type { ImportThreads } from './sqlite/import.js';
export { readCaptures, type CaptureInfo } from './sqlite/captures.js';
export { runUserQuery, applySafetyLimits, type QueryResult } from './sqlite/query.js';
export type { StatRow, Severity } from './sqlite/capture-stats.js';

// commands and output (engineer C)
export {
  analyzeCommand,
  createAnalyzeCommand,
  ANALYZE_EPILOG,
  createSummaryCommand,
  createListCommand,
  createQueryCommand,
  createInfoCommand,
  createSchemaCommand,
  runSummary,
  runList,
  runQuery,
  runInfo,
  runSchema,
  withCaptureOptions,
  withFilterOptions,
  parseFilters,
  buildDropFilter,
  parseTimeSpec,
  UsageError,
  processIO,
  type CommandIO,
  type FilterOptions,
  type DropFilter,
  type SqlCondition,
  type SummaryArgs,
  type ListArgs,
  type QueryArgs,
  type InfoArgs,
  type SchemaArgs,
} from './commands/index.js';
export {
  withOutputOptions,
  OUTPUT_FORMATS,
  printRows,
  formatRows,
  writeLines,
  sanitizeTerminal,
  stringifyJson,
  toJsonLine,
  toJsonValue,
  csvRecord,
  csvField,
  formatTable,
  shouldUseColor,
  palette,
  formatDropHeader,
  formatDropLine,
  formatDropBlock,
  formatTimeOfDay,
  formatStack,
  trimStack,
  sparkline,
  createProgressBar,
  type OutputFormat,
  type OutputOptions,
  type OutputStream,
  type DropLineFields,
  type DropLineOptions,
  type StackOptions,
  type Palette,
} from './output/index.js';
