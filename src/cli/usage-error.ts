/** A command-line argument that cannot be used; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
