// index.ts: the public API, one explicit export list.
export { run } from './run.js';
export type { Progress, RunHooks } from './run.js';
export { validate, DEFAULTS } from './options.js';
export type { RunOptions, RunConfig } from './options.js';
export type { Result, ResultConfig, ErrorCounts, ThreadResult } from './result.js';
export { RatetestError, UsageError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { formatText } from './report/text.js';
export type { TextOptions } from './report/text.js';
export { checkThresholds, parseThreshold, formatThresholdFailures } from './thresholds.js';
export type { Threshold, ThresholdOp, ThresholdOutcome } from './thresholds.js';
export { toJson, JSON_SCHEMA_ID } from './report/json.js';
export type { ResultJson, LatencyJson } from './report/json.js';
export { selfCheck } from './report/self-check.js';
export type { SelfCheck, SelfCheckCause } from './report/self-check.js';
