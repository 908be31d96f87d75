// The Genesis Cloud compute API client's public surface: import from here, not from
// the files behind it. Re-exports only; runs nothing.
export {
  createGenesisClient,
  GENESIS_CLIENT_DEFAULTS,
  type GenesisClient,
  type GenesisClientOptions,
} from './client.js';
export {
  AmbiguousCreateError,
  AmbiguousWriteError,
  CAPACITY_ERROR,
  type FailureKind,
  GenesisAbortedError,
  GenesisApiError,
  isCapacityError,
  isGenesisApiError,
  isNotFound,
  isRetryable,
} from './errors.js';
export {
  MAX_PER_PAGE,
  type Page,
  type PageRequest,
  type PaginateOptions,
  pageOf,
  paginate,
} from './paginate.js';
export {
  createRateLimiter,
  DEFAULT_RATE_LIMIT,
  defaultRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type TokenBucket,
} from './rate-limit.js';
export {
  budgetKey,
  createSharedRateLimiter,
  type SharedBudget,
  type SharedRateLimiter,
  type SharedRateLimiterOptions,
} from './shared-rate-limit.js';
export { RETRY_TABLE, parseRetryAfter, planRetry, retryVerdict } from './retry.js';
export type { ApiCall, HttpMethod, RequestSpec } from './transport.js';
export type * from './types.js';
