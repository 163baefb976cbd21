/**
 * Lyceum's version, read once from package.json; it names the API document and the webhook
 * User-Agent.
 */
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

export const LYCEUM_VERSION: string = packageJson.version;
