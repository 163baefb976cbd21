/**
 * Serves the built console at `/console/`: the page, and its scripts and styles under
 * `/console/assets/`. The page needs no key (it asks for one); every call it makes to the API
 * does. The console routes with the URL fragment (`/console/#/endpoints`), so the server only
 * ever serves these few files and every URL stays relative, which keeps the console working
 * behind a reverse proxy that mounts Lyceum under a path.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../api/problem.js';
import type { LyceumApp } from '../api/types.js';
import { type ConsoleAsset, readConsoleAsset } from './assets.js';
import { missingBuildPage } from './missing-build-page.js';

/**
 * The page loads only its own files and talks only to its own origin; it may not be framed,
 * so a hostile page cannot overlay the console's buttons.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every console answer carries. */
function secureHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset) {
  secureHeaders(reply).header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

/** Registers `/console`, `/console/` and `/console/assets/:file`, serving files from `dir`. */
export function consoleStaticRoutes(app: LyceumApp, dir: string): void {
  const hidden = { config: { auth: 'public' as const }, schema: { hide: true } };

  app.get('/console', hidden, async function redirectToConsole(_request, reply) {
    // Relative, so that a proxy prefix in front of Lyceum is kept.
    return reply.redirect('console/', 301);
  });

  app.get('/console/', hidden, async function consolePage(request, reply) {
    const page = await readConsoleAsset(dir, 'index.html');
    if (page) return sendAsset(request, reply, page);
    return secureHeaders(reply)
      .code(503)
      .type('text/html; charset=utf-8')
      .send(missingBuildPage(dir));
  });

  app.get<{ Params: { file: string } }>(
    '/console/assets/:file',
    hidden,
    async function consoleAsset(request, reply) {
      const asset = await readConsoleAsset(dir, `assets/${request.params.file}`);
      if (!asset) throw notFound('Console file', request.params.file);
      return sendAsset(request, reply, asset);
    },
  );
}
