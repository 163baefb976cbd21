/**
 * Every route module, registered in one place.
 */
import type { ApiServices } from '../app.js';
import type { LyceumApp } from '../types.js';
import { apiKeyRoutes } from './api-keys.js';
import { certificationRoutes } from './certifications.js';
import { courseRoutes } from './courses.js';
import { deliveryRoutes } from './deliveries.js';
import { enrollmentRoutes } from './enrollments.js';
import { eventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { subscriptionRoutes } from './subscriptions.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';

export async function registerRoutes(app: LyceumApp, services: ApiServices): Promise<void> {
  healthRoutes(app, services);
  apiKeyRoutes(app, services);
  userRoutes(app, services);
  courseRoutes(app, services);
  enrollmentRoutes(app, services);
  certificationRoutes(app, services);
  subscriptionRoutes(app, services);
  eventRoutes(app, services);
  webhookRoutes(app, services);
  deliveryRoutes(app, services);
}
