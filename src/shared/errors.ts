/**
 * The one place where a thrown `unknown` becomes an Error. Context is added by wrapping with
 * `new Error(message, { cause })`, never by editing another error's message.
 */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(`non-error thrown: ${JSON.stringify(value)}`);
  } catch {
    return new Error(`non-error thrown: ${String(value)}`);
  }
}

/** A short message for an unknown failure, for problem details and logs. */
export function errorMessage(value: unknown): string {
  return toError(value).message;
}
