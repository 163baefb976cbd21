/**
 * Every route module, registered in one place.
 */
import type { ApiServices } from '../app.js';
import type { LyceumApp } from '../types.js';
import { apiKeyRoutes } from './api-keys.js';
import { healthRoutes } from './health.js';
import { userRoutes } from './users.js';

export async function registerRoutes(app: LyceumApp, services: ApiServices): Promise<void> {
  healthRoutes(app, services);
  apiKeyRoutes(app, services);
  userRoutes(app, services);
}
