/**
 * The Lyceum REST client: every operation of the API as a method (generated from the OpenAPI
 * document), over a transport that retries, paginates and keeps POSTs idempotent.
 */
import { LyceumOperations } from './generated/operations.js';
import { HttpTransport, type LyceumClientOptions } from './transport.js';

/**
 * A client for one Lyceum and one API key, e.g.
 * `new LyceumClient({ baseUrl: 'https://lyceum.example.com', apiKey })`, then
 * `await client.users.get(id)` or `for await (const user of client.users.list.all())`.
 */
export class LyceumClient extends LyceumOperations {
  constructor(options: LyceumClientOptions) {
    super(new HttpTransport(options));
  }
}
