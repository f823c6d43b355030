// A newcomer's first reset in Chromium, with nothing but the README's
// defaults: `shop create` without --storefront-url and a server mailing to
// its dev mailbox. The mailed link must open the server's own page, the
// reset must go through, and "Continue" must lead somewhere real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchChromium } from './lib/chromium.mjs';
import { call, mutations } from './lib/client.mjs';
import { mailboxLink, shopName, startHostedShop } from './lib/hosted.mjs';

const email = 'newcomer@example.com';
let shop, browser;

before(async () => {
  shop = await startHostedShop({ defaults: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shop?.stop();
});

test('the reset link of a default shop opens and completes on the server itself', async () => {
  const created = await call(shop.client, mutations.create, { input: { email, password: 'first-secret-1' } });
  assert.deepEqual(created.customerCreate.customerUserErrors, []);
  const recovered = await call(shop.client, mutations.recover, { email });
  assert.deepEqual(recovered.customerRecover.customerUserErrors, []);

  const mailed = await mailboxLink(shop.server.base, email);
  assert.ok(mailed.startsWith(`${shop.server.base}/account/reset/`), `the mailed link ${mailed} is not the server's own`);

  const context = await browser.newContext();
  const mailbox = await context.newPage();
  await mailbox.goto(`${shop.server.base}/_dev/mailbox?to=${encodeURIComponent(email)}`);
  await mailbox.locator('table.list tbody tr', { hasText: email }).locator('a').last().click();
  const link = mailbox.locator('pre a[href*="/account/reset/"]');
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), mailed);

  const [form] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await form.waitForLoadState();
  assert.equal(form.url(), mailed);
  assert.equal(await form.locator('h1').innerText(), 'Reset your password');
  assert.equal(await form.locator('.shop').textContent(), shopName);
  await form.getByLabel('Password', { exact: true }).fill('second-secret-2');
  await form.getByLabel('Confirm password').fill('second-secret-2');
  await form.getByRole('button', { name: 'Reset password' }).click();
  await form.locator('h1', { hasText: 'Your password has been changed' }).waitFor();

  const [home] = await Promise.all([form.waitForNavigation(), form.getByRole('link', { name: `Continue to ${shopName}` }).click()]);
  assert.equal(home.status(), 200);
  assert.equal(new URL(form.url()).origin, shop.server.base);
  assert.equal(await form.locator('h1').innerText(), 'storekeep');
  await context.close();

  const login = await call(shop.client, mutations.login, { input: { email, password: 'second-secret-2' } });
  assert.deepEqual(login.customerAccessTokenCreate.customerUserErrors, []);
});
