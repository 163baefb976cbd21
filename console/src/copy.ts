/**
 * Copying to the clipboard. The Clipboard API needs a secure context (https or localhost);
 * a console opened over plain http on a private network falls back to selecting the text and
 * the older copy command.
 */

/** Copies `text`; resolves whether it worked. `input` holds the same text, for the fallback. */
export async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused (e.g. a headless browser): the fallback below may still work.
    }
  }
  input.focus();
  input.select();
  return document.execCommand('copy');
}
