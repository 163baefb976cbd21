/**
 * API key scopes. They nest: `admin` may do everything `write` may, and `write` everything
 * `read` may, so a key needs only its highest scope.
 */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** Whether a key holding `granted` may call a route that requires `required`. */
export function allows(granted: readonly Scope[], required: Scope): boolean {
  return granted.some((scope) => RANK[scope] >= RANK[required]);
}

/** Parses `read,write` into scopes; throws naming the unknown one. */
export function parseScopes(text: string): Scope[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new Error('at least one scope is required: read, write or admin');
  for (const part of parts) {
    if (!(SCOPES as readonly string[]).includes(part)) {
      throw new Error(`unknown scope "${part}": use read, write or admin`);
    }
  }
  return [...new Set(parts)] as Scope[];
}
