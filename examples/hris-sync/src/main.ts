/**
 * Runs the HRIS sync receiver: `npm start -w @lyceum/example-hris-sync` with LYCEUM_URL,
 * LYCEUM_API_KEY (read scope) and LYCEUM_WEBHOOK_SECRET set; see the README.
 */
import { LyceumClient } from '@lyceum/sdk';
import { HrisStore } from './hris-store.js';
import { startHrisReceiver } from './receiver.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`hris-sync: ${name} is not set; see examples/hris-sync/README.md\n`);
    process.exit(2);
  }
  return value;
}

const client = new LyceumClient({
  baseUrl: required('LYCEUM_URL'),
  apiKey: required('LYCEUM_API_KEY'),
});
// Several secrets, separated by spaces, while the endpoint's secret is being rotated.
const secrets = required('LYCEUM_WEBHOOK_SECRET').split(/\s+/);
const store = new HrisStore(process.env.HRIS_DATABASE ?? './hris.db');
const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);

const receiver = await startHrisReceiver(
  { client, store, secrets, log },
  Number(process.env.PORT ?? 4000),
  process.env.HOST ?? '127.0.0.1',
);
log(`receiving Lyceum webhooks at ${receiver.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void receiver.close().then(() => {
      store.close();
      process.exit(0);
    });
  });
}
