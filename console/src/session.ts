/**
 * The signed-in key. It lives in sessionStorage: it is gone when the tab closes, and other tabs
 * and sites never see it (unlike localStorage, which would keep an admin key on disk).
 */
const STORAGE_KEY = 'lyceum.console.apiKey';

/** The key of this tab, if signed in. */
export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

/** Remembers `key` for this tab. */
export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

/** Forgets the key: signing out. */
export function clearKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
