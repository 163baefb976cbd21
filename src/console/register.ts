/**
 * The operator console inside a Lyceum process: its page and files at `/console/`, and its
 * JSON endpoints under `/v2/console`.
 */
import type { ApiServices } from '../api/app.js';
import type { LyceumApp } from '../api/types.js';
import { consoleApiRoutes } from './api-routes.js';
import { DEFAULT_CONSOLE_DIR } from './assets.js';
import { consoleStaticRoutes } from './static-routes.js';

export interface ConsoleOptions {
  /** Where the built console is; `dist/console/` of the repository by default. */
  dir?: string;
}

/** Registers the console on `app`. */
export function registerConsole(
  app: LyceumApp,
  services: Pick<ApiServices, 'context'>,
  options: ConsoleOptions = {},
): void {
  consoleApiRoutes(app, services);
  consoleStaticRoutes(app, options.dir ?? DEFAULT_CONSOLE_DIR);
}
