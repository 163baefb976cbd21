/**
 * The console's built files: where they live and how one is read. Only plain names under the
 * build folder are ever read, so no request path can reach another file on the machine.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:console` writes the console: `dist/console/` in the repository. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** One file ready to send. */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  /** A strong validator from the content, so an unchanged file is a 304. */
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** `index.html` or `assets/<name>`, where a name has no slash and does not start with a dot. */
const SAFE_PATH = /^(assets\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Reads `relativePath` from the console folder `dir`. Resolves undefined when the path is not
 * one the console serves or the file is not there (the console has not been built).
 */
export async function readConsoleAsset(
  dir: string,
  relativePath: string,
): Promise<ConsoleAsset | undefined> {
  const contentType = CONTENT_TYPES[extname(relativePath)];
  if (!SAFE_PATH.test(relativePath) || contentType === undefined) return undefined;

  let body: Buffer;
  try {
    body = await readFile(join(dir, relativePath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`could not read console file ${relativePath}`, { cause: error });
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType, etag };
}
