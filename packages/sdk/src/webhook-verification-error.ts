/**
 * Why a webhook was refused. Every reason is a reason to answer the request with a 4xx and
 * not act on it; `missing_header` and `invalid_secret` usually mean the receiver is set up
 * wrong rather than that someone is forging requests.
 */

/** The reasons `verifyWebhook` refuses a request. */
export type WebhookVerificationReason =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_secret'
  | 'invalid_payload';

/** A webhook that did not verify, with the reason as a stable code. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';

  constructor(
    /** Why the webhook was refused. */
    readonly reason: WebhookVerificationReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
