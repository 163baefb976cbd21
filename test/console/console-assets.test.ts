/**
 * Serving the built console: the page and its files with their security headers, a helpful
 * page (not a crash) when the console was never built, and no way out of the build folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/api/error-handler.js';
import type { LyceumApp } from '../../src/api/types.js';
import { consoleStaticRoutes } from '../../src/console/static-routes.js';
import { closeHarness, createHarness, type Harness } from '../support/harness.js';

async function appServing(dir: string): Promise<LyceumApp> {
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as LyceumApp;
  installErrorHandling(app);
  consoleStaticRoutes(app, dir);
  await app.ready();
  return app;
}

describe('console files', () => {
  const root = mkdtempSync(join(tmpdir(), 'lyceum-console-'));
  const built = join(root, 'built');
  const empty = join(root, 'empty');
  let app: LyceumApp;
  let unbuilt: LyceumApp;

  beforeAll(async () => {
    mkdirSync(join(built, 'assets'), { recursive: true });
    mkdirSync(empty);
    writeFileSync(join(built, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(built, 'assets', 'console.js'), 'console.log(1);');
    writeFileSync(join(built, 'assets', 'console.css'), 'body{}');
    writeFileSync(join(built, 'assets', '.hidden.js'), 'HIDDEN-CONTENT');
    writeFileSync(join(root, 'outside.js'), 'OUTSIDE-CONTENT');
    app = await appServing(built);
    unbuilt = await appServing(empty);
  });
  afterAll(async () => {
    await app?.close();
    await unbuilt?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the page at /console/ with headers that lock it to its own origin', async () => {
    const page = await app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>console</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('redirects /console to /console/ relatively, so a proxy prefix survives', async () => {
    const answer = await app.inject({ method: 'GET', url: '/console' });
    expect(answer.statusCode).toBe(301);
    expect(answer.headers.location).toBe('console/');
  });

  it('serves scripts and styles with their types, and a 304 when unchanged', async () => {
    const script = await app.inject({ method: 'GET', url: '/console/assets/console.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log(1);');
    const styles = await app.inject({ method: 'GET', url: '/console/assets/console.css' });
    expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');

    const etag = String(script.headers.etag);
    const again = await app.inject({
      method: 'GET',
      url: '/console/assets/console.js',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('refuses every path outside the build folder, hidden files and unknown types', async () => {
    for (const url of [
      '/console/assets/..%2Foutside.js',
      '/console/assets/..%2F..%2Foutside.js',
      '/console/assets/%2E%2E%2Foutside.js',
      '/console/assets/.hidden.js',
      '/console/assets/missing.js',
      '/console/assets/console.exe',
    ]) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.statusCode, url).toBe(404);
      expect(answer.body, url).not.toContain('OUTSIDE-CONTENT');
      expect(answer.body, url).not.toContain('HIDDEN-CONTENT');
    }
  });

  it('explains how to build the console when it was not built, without failing', async () => {
    const page = await unbuilt.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('npm run build:console');
    expect(page.body).toContain('has not been built');
    const script = await unbuilt.inject({ method: 'GET', url: '/console/assets/console.js' });
    expect(script.statusCode).toBe(404);
  });
});

describe('console in the Lyceum app', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness('sqlite');
  });
  afterAll(async () => {
    if (harness) await closeHarness(harness);
  });

  it('answers /console/ without a key, while its JSON endpoints need an admin key', async () => {
    const page = await harness.call('GET', '/console/', { key: null });
    // 200 once `npm run build:console` ran (npm install does), 503 with instructions before.
    expect([200, 503]).toContain(page.status);
    expect(page.headers['content-type']).toContain('text/html');
    expect((await harness.call('GET', '/v2/console/overview', { key: null })).status).toBe(401);
  });

  it('documents its JSON endpoints in the OpenAPI document, under the console tag', async () => {
    const { body } = await harness.call('GET', '/v2/openapi.json', { key: null });
    expect(body.paths['/v2/console/overview'].get.tags).toEqual(['console']);
    expect(body.paths['/v2/console/events/{id}/deliveries']).toBeDefined();
    expect(body.paths['/console/']).toBeUndefined();
  });
});
