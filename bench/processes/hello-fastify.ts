/**
 * The REST baseline: a bare Fastify hello-world, nothing but routing and JSON serialisation.
 * The ceiling any Fastify route can reach on this machine.
 */
import Fastify from 'fastify';
import { serveCommands } from '../support/ipc.js';

const app = Fastify();
app.get('/hello', async function hello() {
  return { hello: 'world' };
});

serveCommands({
  async start(): Promise<string> {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return `${address}/hello`;
  },
  async close(): Promise<null> {
    await app.close();
    return null;
  },
});
