/**
 * @lyceum/sdk: verify Lyceum webhooks and call the Lyceum REST API. No dependencies; runs
 * wherever `fetch` and Web Crypto do.
 */

export { LyceumClient } from './client.js';
export {
  LyceumApiError,
  LyceumNetworkError,
  type Problem,
  type ProblemFieldError,
} from './errors.js';
export * from './generated/api-types.js';
export * from './generated/events.js';
export { OPERATIONS } from './generated/operations.js';
export {
  type ListCall,
  type NestedListCall,
  type Page,
  type PageQuery,
  paginate,
  paginatePages,
} from './pagination.js';
export type { LyceumClientOptions, QueryValue, RequestOptions } from './transport.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  verifyWebhookSignature,
  type WebhookHeaders,
} from './verify-webhook.js';
export type { WebCrypto } from './web-crypto.js';
export {
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './webhook-verification-error.js';
