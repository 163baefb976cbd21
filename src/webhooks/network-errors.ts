/**
 * Turns what the HTTP client threw into an ErrorKind, so attempts can be grouped by cause in
 * the API, the metrics and the retry policy. Errors nest (`cause`, AggregateError when several
 * addresses were tried), so the whole chain is searched and the first recognised code wins.
 */
import type { ErrorKind } from './outcomes.js';

/** Error codes by kind: undici's own and Node's system codes. */
const CODE_KINDS: Readonly<Record<string, ErrorKind>> = {
  ADDRESS_REFUSED: 'address_refused',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  ENODATA: 'dns',
  EPROTO: 'tls',
};

/** Error names by kind, for errors without a code (the abort signal's timeout). */
const NAME_KINDS: Readonly<Record<string, ErrorKind>> = {
  TimeoutError: 'timeout',
  AbortError: 'timeout',
  ConnectTimeoutError: 'timeout',
  HeadersTimeoutError: 'timeout',
  BodyTimeoutError: 'timeout',
};

/** OpenSSL and Node name certificate and handshake failures in many ways; these cover them. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|SELF_SIGNED/;

/** The kind of a failed attempt; `network` when nothing in the chain is recognised. */
export function errorKindOf(error: Error): ErrorKind {
  for (const link of errorChain(error)) {
    const code = (link as NodeJS.ErrnoException).code;
    if (typeof code === 'string') {
      const byCode = CODE_KINDS[code];
      if (byCode) return byCode;
      if (TLS_CODE.test(code)) return 'tls';
    }
    const byName = NAME_KINDS[link.name];
    if (byName) return byName;
    if (link.message === 'other side closed') return 'connection_reset';
  }
  return 'network';
}

/** The error, its causes and, for an AggregateError, each of its errors, depth first. */
function* errorChain(error: Error, depth = 0): Generator<Error> {
  if (depth > 8) return;
  yield error;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      if (inner instanceof Error) yield* errorChain(inner, depth + 1);
    }
  }
  if (error.cause instanceof Error) yield* errorChain(error.cause, depth + 1);
}
