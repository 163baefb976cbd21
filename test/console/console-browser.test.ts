/**
 * The operator console in a real browser (Debian's Chromium through playwright-core) against
 * a live Lyceum, API and dispatcher in one process, and a live webhook receiver on 127.0.0.1.
 * An operator signs in, creates an endpoint, sends a test event and sees it delivered, sees a
 * failing receiver's answers, resends once it is fixed, steers the endpoint, browses the log
 * and the feed, and creates and revokes a key; then the same with the keyboard alone, and on a
 * phone-sized screen. Every page is saved as a screenshot under artifacts/console/.
 *
 * Retries are 100 ms apart, so a failing delivery gives up within a second.
 */
import type { ServerResponse } from 'node:http';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildConsole } from '../../src/console/build.js';
import { createApiKey } from '../../src/keys/api-keys.js';
import { type RunningLyceum, startLyceum } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertEndpoint } from '../support/webhook-fixtures.js';
import { type Receiver, startReceiver } from '../support/webhook-receiver.js';
import {
  CHROMIUM_PATH,
  type Chromium,
  chromiumAvailable,
  clipboardText,
  focused,
  focusedText,
  horizontalOverflow,
  launchChromium,
  screenshot,
  storage,
} from './browser.js';
import { seedDeliveryHistory } from './history.js';

if (!chromiumAvailable) {
  console.warn(
    `Console browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`,
  );
}

describe.skipIf(!chromiumAvailable)('operator console in Chromium', () => {
  let testDatabase: TestDatabase;
  let lyceum: RunningLyceum;
  let receiver: Receiver;
  let browser: Chromium;
  let page: Page;
  let adminKey: string;
  let readKey: string;
  let seeded: { succeeded: number; failed: number };
  let failing = false;

  beforeAll(async () => {
    // The tests drive what the sources build now, not an older build.
    await buildConsole();
    testDatabase = await createTestDatabase('sqlite');
    lyceum = await startLyceum(
      loadConfig({
        LOG_LEVEL: 'silent',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: testDatabase.url,
        LYCEUM_WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
        LYCEUM_WEBHOOK_ALLOW_HTTP: 'true',
        LYCEUM_WEBHOOK_RETRY_SCHEDULE: '100ms,100ms',
        LYCEUM_WEBHOOK_TIMEOUT: '2s',
      }),
    );
    const key = async (scopes: Array<'admin' | 'read'>) =>
      (
        await createApiKey(lyceum.context, {
          name: `console ${scopes}`,
          scopes,
          rateLimitPerMinute: 60_000,
        })
      ).key;
    adminKey = await key(['admin']);
    readKey = await key(['read']);
    seeded = await seedDeliveryHistory(
      lyceum.context,
      await insertEndpoint(lyceum.context, 'https://crm.example.com/lyceum-hook', [
        'course.completed',
      ]),
    );

    receiver = await startReceiver((_request, response: ServerResponse) => {
      response.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
      response.end(failing ? 'receiver down: disk full' : 'ok');
    });
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: lyceum.url,
    });
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await lyceum?.stop();
    await testDatabase?.dispose();
  });

  async function api(path: string, key = adminKey): Promise<{ status: number; body: any }> {
    const response = await fetch(`${lyceum.url}${path}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const notice = (text: string | RegExp) => page.locator('.notices .notice', { hasText: text });
  const dialog = () => page.getByRole('dialog');
  const nav = (name: string) =>
    page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name, exact: true });

  async function signIn(key: string) {
    await page.getByLabel('Admin API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in only with an admin key, kept in sessionStorage', async () => {
    await page.goto(`${lyceum.url}/console`);
    await heading('Sign in to the Lyceum console').waitFor();
    await screenshot(page, 'sign-in');

    await signIn('lyk_not-a-real-key');
    await page.getByRole('alert').filter({ hasText: 'does not know this key' }).waitFor();
    await signIn(readKey);
    await page.getByRole('alert').filter({ hasText: 'lacks the admin scope' }).waitFor();

    await signIn(adminKey);
    await heading('Overview').waitFor();
    expect(await storage(page)).toEqual({ key: adminKey, sessionItems: 1, localItems: 0 });
  });

  it('creates an endpoint and shows its secret once, with a copy button', async () => {
    await nav('Endpoints').click();
    await heading('Endpoints').waitFor();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await dialog().getByRole('heading', { name: 'Create an endpoint' }).waitFor();
    await dialog().getByLabel('URL').fill(receiver.url);
    await dialog().getByLabel('Description').fill('HRIS sync');
    await dialog()
      .getByRole('checkbox', { name: /^course\.completed/ })
      .check();
    await screenshot(page, 'endpoint-create', false);
    await dialog().getByRole('button', { name: 'Create endpoint' }).click();

    await dialog().getByRole('heading', { name: 'Endpoint created' }).waitFor();
    const secret = await dialog().getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await dialog().getByRole('button', { name: 'Copy' }).click();
    await dialog().getByText('Copied to the clipboard.').waitFor();
    expect(await clipboardText(page)).toBe(secret);
    await dialog().getByRole('button', { name: 'Done' }).click();

    await heading(receiver.url).waitFor();
    await notice('Endpoint created.').waitFor();
    const { body } = await api('/v2/webhooks');
    const created = body.data.find((endpoint: any) => endpoint.url === receiver.url);
    expect(created).toMatchObject({
      description: 'HRIS sync',
      eventTypes: ['course.completed'],
      enabled: true,
    });
    await screenshot(page, 'endpoint');
  });

  async function sendTestEventAndOpenIt(): Promise<string> {
    await page.getByRole('button', { name: 'Send test event' }).click();
    const link = notice('Test event sent.').getByRole('link', { name: /^Open delivery dlv_/ });
    const name = (await link.textContent()) ?? '';
    await link.click();
    await heading(/^Delivery dlv_/).waitFor();
    return name.replace('Open delivery ', '');
  }

  it('sends a test event and shows it delivered, with the request and the answer', async () => {
    const received = receiver.requests.length;
    const deliveryId = await sendTestEventAndOpenIt();
    // The page checks on the pending delivery by itself until it finishes.
    await page.locator('.facts .badge', { hasText: 'Succeeded' }).waitFor();
    expect(receiver.requests.length).toBe(received + 1);
    const sent = receiver.requests.at(-1)!;

    const attempt = page.locator('details.attempt');
    expect(await attempt.count()).toBe(1);
    await attempt.getByText('HTTP 200').first().waitFor();
    const requestHeaders = attempt.getByRole('table', { name: 'Request headers, attempt 1' });
    expect(await requestHeaders.getByRole('row', { name: /webhook-id/ }).textContent()).toContain(
      sent.headers['webhook-id'],
    );
    expect(
      await requestHeaders.getByRole('row', { name: /webhook-signature/ }).textContent(),
    ).toContain(String(sent.headers['webhook-signature']));
    const body = await attempt
      .getByRole('region', { name: 'Request body, attempt 1' })
      .textContent();
    expect(JSON.parse(body ?? '')).toEqual(JSON.parse(sent.body));
    expect(
      await attempt.getByRole('region', { name: 'Response body, attempt 1' }).textContent(),
    ).toBe('ok');
    expect((await api(`/v2/deliveries/${deliveryId}`)).body.status).toBe('succeeded');
    await screenshot(page, 'delivery-succeeded');
  });

  it('shows every failed attempt with the receiver’s answer, then resends once it is fixed', async () => {
    failing = true;
    await page.getByRole('link', { name: receiver.url }).first().click();
    await heading(receiver.url).waitFor();
    const deliveryId = await sendTestEventAndOpenIt();

    await page.locator('.facts .badge', { hasText: 'Failed' }).waitFor();
    await notice('Delivery failed.').waitFor();
    await screenshot(page, 'delivery-failed', false);
    const attempts = page.locator('details.attempt');
    expect(await attempts.count()).toBe(3);
    for (const number of [1, 2, 3]) {
      const attempt = attempts.filter({ hasText: `Attempt ${number}` });
      await attempt.locator('summary').getByText('HTTP 500').waitFor();
      if ((await attempt.getAttribute('open')) === null) await attempt.locator('summary').click();
      expect(
        await attempt
          .getByRole('region', { name: `Response body, attempt ${number}` })
          .textContent(),
      ).toBe('receiver down: disk full');
    }
    await screenshot(page, 'delivery-failed-attempts');

    failing = false;
    await page.getByRole('button', { name: 'Resend' }).click();
    await page.locator('.facts .badge', { hasText: 'Succeeded' }).waitFor();
    await notice('Delivery succeeded.').waitFor();
    expect(await attempts.count()).toBe(4);
    expect(await attempts.first().locator('summary').textContent()).toContain('Attempt 4');
    expect(await attempts.first().locator('summary').textContent()).toContain('HTTP 200');
    const stored = (await api(`/v2/deliveries/${deliveryId}`)).body;
    expect(stored).toMatchObject({ status: 'succeeded', attemptCount: 4 });
  });

  it('edits event types, disables and enables, rotates the secret and recovers a window', async () => {
    await page.getByRole('link', { name: receiver.url }).first().click();
    await heading(receiver.url).waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    await dialog()
      .getByRole('checkbox', { name: /^user\.created/ })
      .check();
    await dialog().getByRole('button', { name: 'Save changes' }).click();
    await notice('Endpoint saved.').waitFor();
    await page
      .getByText(/^(course\.completed, user\.created|user\.created, course\.completed)$/)
      .waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await dialog().getByRole('button', { name: 'Disable' }).click();
    await notice('Endpoint disabled.').waitFor();
    await page.getByText('Disabled: disabled by an operator').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await notice('Endpoint enabled.').waitFor();

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await dialog().getByRole('button', { name: 'Rotate secret' }).click();
    await dialog().getByRole('heading', { name: 'New signing secret' }).waitFor();
    expect(await dialog().getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });

    // The last ten minutes only: the seeded history is older, so nothing is missing.
    await page.getByRole('button', { name: 'Recover a time window' }).click();
    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString().slice(0, 16);
    await dialog().getByLabel('From (your time)').fill(tenMinutesAgo);
    await dialog().getByRole('button', { name: 'Recover' }).click();
    await notice(
      'Recovery queued 0 failed deliveries again and created 0 for missed events.',
    ).waitFor();
  });

  it('filters the delivery log and pages through the event feed', async () => {
    await nav('Deliveries').click();
    await heading('Deliveries').waitFor();
    await page.getByLabel('Endpoint').selectOption({ label: receiver.url });
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByLabel('Event type').selectOption('webhook.test');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=succeeded/);
    const rows = page.getByRole('table', { name: 'Deliveries, newest first' }).locator('tbody tr');
    await expectRowCount(rows, 2);
    await screenshot(page, 'deliveries');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No delivery matches.').waitFor();

    await nav('Events').click();
    await heading('Events').waitFor();
    const pager = page.getByRole('navigation', { name: 'Pages of events' });
    await pager.getByText('Page 1').waitFor();
    const firstId = await page.locator('tbody tr th a').first().textContent();
    await pager.getByRole('button', { name: 'Next →' }).click();
    await pager.getByText('Page 2').waitFor();
    expect(await page.locator('tbody tr th a').first().textContent()).not.toBe(firstId);
    await pager.getByRole('button', { name: '← Previous' }).click();
    await pager.getByText('Page 1').waitFor();
    expect(await page.locator('tbody tr th a').first().textContent()).toBe(firstId);

    await page.getByLabel('Event type').selectOption('webhook.test');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=webhook\.test/);
    await expectRowCount(page.locator('tbody tr'), 2);
    await screenshot(page, 'events');

    await page.locator('tbody tr th a').first().click();
    await heading(/^Event evt_/).waitFor();
    const who = page.getByRole('table', { name: 'Deliveries of this event, one per endpoint' });
    expect(await who.locator('tbody tr').count()).toBe(1);
    expect(await who.textContent()).toContain(receiver.url);
    expect(await who.textContent()).toContain('Succeeded');
    await screenshot(page, 'event');
  });

  it('shows the last 24 hours as charts, the backlog and the endpoints needing attention', async () => {
    await nav('Overview').click();
    await heading('Overview').waitFor();
    const delivered = page.locator('.stat', { hasText: 'Delivered' }).locator('.stat-value');
    expect(await delivered.textContent()).toBe(
      String(seeded.succeeded + 2).replace(/\B(?=(\d{3})+$)/, ','),
    );
    const chart = page.getByRole('img', { name: 'Deliveries by outcome' });
    await chart.waitFor();
    expect(await chart.locator('rect').count()).toBeGreaterThan(20);
    expect(
      await page.getByRole('img', { name: 'Attempt success rate' }).locator('path').count(),
    ).toBe(1);
    expect(await page.getByRole('img', { name: 'Attempt latency' }).locator('path').count()).toBe(
      2,
    );
    const attention = page.getByRole('table', { name: 'Disabled or failing endpoints' });
    expect(await attention.textContent()).toContain('https://crm.example.com/lyceum-hook');
    await screenshot(page, 'overview');
  });

  it('creates an API key shown once and revokes it', async () => {
    await nav('API keys').click();
    await heading('API keys').waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    await dialog().getByLabel('Name').fill('HRIS reader');
    await dialog().getByRole('button', { name: 'Create key' }).click();
    await dialog().getByRole('heading', { name: 'API key created' }).waitFor();
    const key = await dialog().getByLabel('API key').inputValue();
    expect(key).toMatch(/^lyk_/);
    await screenshot(page, 'api-key-created', false);
    await dialog().getByRole('button', { name: 'Done' }).click();
    await notice('Key “HRIS reader” created.').waitFor();
    expect((await api('/v2/ping', key)).status).toBe(200);

    const row = page.getByRole('row', { name: /HRIS reader/ });
    expect(await row.textContent()).toContain(`${key.slice(0, 8)}`);
    expect(await row.textContent()).toContain('Active');
    await screenshot(page, 'api-keys');
    await page.getByRole('button', { name: 'Revoke key HRIS reader' }).click();
    await dialog().getByRole('button', { name: 'Revoke key' }).click();
    await notice('Key “HRIS reader” revoked.').waitFor();
    expect(await page.getByRole('row', { name: /HRIS reader/ }).textContent()).toContain('Revoked');
    expect((await api('/v2/ping', key)).status).toBe(401);
  });

  it('signs out and forgets the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to the Lyceum console').waitFor();
    expect(await storage(page)).toEqual({ key: null, sessionItems: 0, localItems: 0 });
    await page.goto(`${lyceum.url}/console/#/api-keys`);
    await heading('Sign in to the Lyceum console').waitFor();
  });

  it('works from the keyboard alone: sign-in, navigation and a dialog', async () => {
    const keyboard = await browser.context.newPage();
    await keyboard.goto(`${lyceum.url}/console/`);
    await keyboard.getByRole('heading', { name: 'Sign in to the Lyceum console' }).waitFor();
    expect((await focused(keyboard)).name).toBe('key');
    await keyboard.keyboard.type(adminKey);
    await keyboard.keyboard.press('Enter');
    await keyboard.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect((await focused(keyboard)).tag).toBe('H1');

    // Back from the page heading to the navigation, then follow a link with Enter.
    for (let step = 0; step < 8 && (await focusedText(keyboard)) !== 'API keys'; step += 1) {
      await keyboard.keyboard.press('Shift+Tab');
    }
    expect(await focusedText(keyboard)).toBe('API keys');
    expect((await focused(keyboard)).outline).not.toBe('none');
    await keyboard.keyboard.press('Enter');
    await keyboard.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();

    for (let step = 0; step < 8 && (await focusedText(keyboard)) !== 'Create key'; step += 1) {
      await keyboard.keyboard.press('Tab');
    }
    expect(await focusedText(keyboard)).toBe('Create key');
    await keyboard.keyboard.press('Space');
    const open = keyboard.getByRole('dialog', { name: 'Create an API key' });
    await open.waitFor();
    expect((await focused(keyboard)).name).toBe('name');
    await keyboard.keyboard.type('typed, never saved');
    await keyboard.keyboard.press('Tab');
    expect((await focused(keyboard)).inDialog).toBe(true);
    await keyboard.keyboard.press('Escape');
    await open.waitFor({ state: 'detached' });
    expect(await focusedText(keyboard)).toBe('Create key');
    const { body } = await api('/v2/api-keys');
    expect(body.data.map((k: any) => k.name)).not.toContain('typed, never saved');
    await keyboard.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${lyceum.url}/console/`);
    await phone.getByLabel('Admin API key').fill(adminKey);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await phone.getByRole('img', { name: 'Deliveries by outcome' }).waitFor();
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'phone-overview');

    await phone.goto(`${lyceum.url}/console/#/deliveries`);
    await phone.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    await phone.locator('tbody tr').first().waitFor();
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'phone-deliveries', false);
    await phone.close();
  });
});

/**
 * Waits for `rows` to number `expected`, then checks it. After a filter the page keeps showing
 * the rows it had until the filtered ones have loaded, so a count read at once may be the old
 * page's.
 */
async function expectRowCount(rows: Locator, expected: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await rows.count()) !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(await rows.count()).toBe(expected);
}
