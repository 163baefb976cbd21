/**
 * Which external services the tests can reach. PostgreSQL and Redis tests run where the servers
 * answer and skip, with one line saying why, where they do not.
 */
import { Socket } from 'node:net';

export const POSTGRES_URL =
  process.env.LYCEUM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.LYCEUM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether something accepts TCP connections at the host and port of `url`. */
export function reachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname, () => done(true));
  });
}

export const postgresAvailable = await reachable(POSTGRES_URL);
export const redisAvailable = await reachable(REDIS_URL);
