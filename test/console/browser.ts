/**
 * Debian's Chromium driven by playwright-core for the console's browser tests. playwright-core
 * downloads no browser: the tests use /usr/bin/chromium (`.ci/run` installs it when missing)
 * and skip, saying why, where it is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

/** Where screenshots go; CI keeps `artifacts/`. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../artifacts/console/', import.meta.url));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile of its own; `close` removes the profile. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'lyceum-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(8000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of `page` as `artifacts/console/<name>.png`. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/**
 * The browser's globals that the functions below read. They run inside Chromium, not in Node,
 * whose type library has no DOM; this names just what they touch.
 */
interface PageElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
}
interface PageGlobals {
  document: { activeElement: PageElement | null; documentElement: { scrollWidth: number } };
  sessionStorage: { getItem(key: string): string | null; length: number };
  localStorage: { length: number };
  navigator: { clipboard: { readText(): Promise<string> } };
  innerWidth: number;
  getComputedStyle(element: PageElement): { outlineStyle: string };
}

/** What the focused element is: its accessible name or text, tag, `name`, outline, place. */
export function focused(page: Page) {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
    const element = document.activeElement;
    return {
      text: (element?.getAttribute('aria-label') ?? element?.textContent ?? '').trim(),
      tag: element?.tagName ?? '',
      name: element?.getAttribute('name') ?? null,
      outline: element ? getComputedStyle(element).outlineStyle : 'none',
      inDialog: Boolean(element?.closest('dialog')),
    };
  });
}

/** The accessible name or text of the focused element, to follow focus from the keyboard. */
export async function focusedText(page: Page): Promise<string> {
  return (await focused(page)).text;
}

/** What the page keeps in web storage: the console's key, and how much else. */
export function storage(page: Page) {
  return page.evaluate(() => {
    const { sessionStorage, localStorage } = globalThis as unknown as PageGlobals;
    return {
      key: sessionStorage.getItem('lyceum.console.apiKey'),
      sessionItems: sessionStorage.length,
      localItems: localStorage.length,
    };
  });
}

/** The text on the clipboard. */
export function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
}

/** How many pixels the page is wider than the window: above 0 means sideways scrolling. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as PageGlobals;
    return document.documentElement.scrollWidth - innerWidth;
  });
}
