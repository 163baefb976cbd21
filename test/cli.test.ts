import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, stopChild } from './support/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './support/database.js';

for (const dialect of DIALECTS) {
  describe(`lyceum command [${dialect}]`, () => {
    let testDatabase: TestDatabase;
    let env: Record<string, string>;

    beforeAll(async () => {
      testDatabase = await createTestDatabase(dialect);
      env = { DATABASE_URL: testDatabase.url };
    });
    afterAll(async () => {
      await testDatabase.dispose();
    });

    it('migrates idempotently', async () => {
      const result = await runCli(['migrate'], env);
      expect(result).toMatchObject({ code: 0, stdout: 'The database is up to date.\n' });
    });

    it('creates, lists and revokes API keys', async () => {
      const created = await runCli(
        [
          'api-keys',
          'create',
          '--name',
          'crm',
          '--scopes',
          'read,write',
          '--rate-limit',
          '600/min',
          '--json',
        ],
        env,
      );
      expect(created.code).toBe(0);
      const key = JSON.parse(created.stdout);
      expect(key.key).toMatch(/^lyk_/);
      expect(key).toMatchObject({
        name: 'crm',
        scopes: ['read', 'write'],
        rateLimitPerMinute: 600,
      });

      const listed = await runCli(['api-keys', 'list'], env);
      expect(listed.stdout).toContain(key.id);
      expect(listed.stdout).toContain(key.prefix);
      expect(listed.stdout).not.toContain(key.key);

      const revoked = await runCli(['api-keys', 'revoke', key.id], env);
      expect(revoked).toMatchObject({ code: 0 });
      const after = JSON.parse((await runCli(['api-keys', 'list', '--json'], env)).stdout);
      expect(after.find((k: { id: string }) => k.id === key.id).revokedAt).not.toBeNull();
    });

    it.each([
      [['api-keys', 'create', '--name', 'x', '--scopes', 'root'], /unknown scope "root"/],
      [
        ['api-keys', 'create', '--name', 'x', '--scopes', 'read', '--rate-limit', 'lots'],
        /rate limit "lots" is not valid/,
      ],
      [['api-keys', 'revoke', 'nope'], /"nope" is not an API key id/],
      [['api-keys', 'revoke', 'key_00000000000000000000000000'], /no API key key_0/],
    ])('refuses %j with one line and exit 2', async (args, message) => {
      const result = await runCli(args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('serves with the injected admin key and stops on SIGTERM', async () => {
      const adminKey = `lyk_admin_${dialect}_0123456789abcdefghij`;
      const { child, url } = await startServe({ ...env, LYCEUM_ADMIN_API_KEY: adminKey });
      try {
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        const ping = await fetch(`${url}/v2/ping`, {
          headers: { authorization: `Bearer ${adminKey}` },
        });
        expect(await ping.json()).toEqual({ valid: true });
        expect((await fetch(`${url}/v2/ping`)).status).toBe(401);
      } finally {
        expect(await stopChild(child)).toBe(0);
      }
    });
  });
}

describe('lyceum command, bad settings', () => {
  it('stops with one line naming the variable', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: 'mysql://localhost/x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'lyceum: DATABASE_URL is not valid: expected sqlite:<file path> or postgres://user@host/db\n',
    );
    const serve = await runCli(['serve'], { PORT: 'http' });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/^lyceum: PORT is not valid/);
  });
});
