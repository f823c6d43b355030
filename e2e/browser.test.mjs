// A person resetting a password in Chromium: the link comes from the dev
// mailbox page, the form is storekeep's hosted page, and the new password
// then logs in through the Storefront API.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './lib/chromium.mjs';
import { call, customerQuery, mutations } from './lib/client.mjs';
import { shopName, startHostedShop } from './lib/hosted.mjs';
import { repoRoot } from './lib/storekeep.mjs';

const email = 'ada@example.com';
const results = path.join(repoRoot, 'e2e', 'test-results');
let shop, browser;

// screenshot saves page under test-results/, and under docs/ for the
// README when that copy is missing or UPDATE_SCREENSHOTS is set (each run
// shows a new port, token and time, so it is not rewritten by default).
async function screenshot(page, name) {
  await mkdir(results, { recursive: true });
  const fresh = path.join(results, name);
  await page.screenshot({ path: fresh });
  const doc = path.join(repoRoot, 'docs', name);
  if (process.env.UPDATE_SCREENSHOTS || !existsSync(doc)) {
    await mkdir(path.dirname(doc), { recursive: true });
    await copyFile(fresh, doc);
  }
}

before(async () => {
  shop = await startHostedShop();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shop?.stop();
});

// until reloads page until locator shows, for up to 20s.
async function until(page, locator) {
  const deadline = Date.now() + 20_000;
  while (!(await locator.count())) {
    if (Date.now() > deadline) throw new Error(`${locator} did not appear within 20s`);
    await new Promise((r) => setTimeout(r, 200));
    await page.reload();
  }
}

test('a customer resets their password from the mailbox link in a browser', async () => {
  const created = await call(shop.client, mutations.create, { input: { email, password: 'first-secret-1', firstName: 'Ada' } });
  assert.deepEqual(created.customerCreate.customerUserErrors, []);
  const recovered = await call(shop.client, mutations.recover, { email });
  assert.deepEqual(recovered.customerRecover.customerUserErrors, []);

  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, deviceScaleFactor: 1 });
  const mailbox = await context.newPage();
  await mailbox.goto(`${shop.server.base}/_dev/mailbox`);
  const row = mailbox.locator('table.list tbody tr', { hasText: email });
  await until(mailbox, row);
  assert.match(await row.innerText(), /reset/i);

  await row.locator('a').last().click();
  const link = mailbox.locator('pre a[href*="/account/reset/"]');
  await link.waitFor();
  await screenshot(mailbox, 'mailbox.png');

  const [form] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await form.waitForLoadState();
  assert.ok(form.url().startsWith(`${shop.server.base}/account/reset/`), form.url());
  assert.equal(await form.locator('h1').innerText(), 'Reset your password');
  assert.equal(await form.locator('.shop').textContent(), shopName);

  await form.getByLabel('Password', { exact: true }).fill('abc');
  await form.getByLabel('Confirm password').fill('abc');
  await form.getByRole('button', { name: 'Reset password' }).click();
  await form.locator('.alert').waitFor();
  assert.equal(await form.locator('.alert').innerText(), 'Password is too short (minimum is 5 characters)');
  await screenshot(form, 'reset-page.png');

  await form.getByLabel('Password', { exact: true }).fill('second-secret-2');
  await form.getByLabel('Confirm password').fill('second-secret-2');
  await form.getByRole('button', { name: 'Reset password' }).click();
  await form.locator('h1', { hasText: 'Your password has been changed' }).waitFor();
  await context.close();

  const login = await call(shop.client, mutations.login, { input: { email, password: 'second-secret-2' } });
  assert.deepEqual(login.customerAccessTokenCreate.customerUserErrors, []);
  const me = await call(shop.client, customerQuery, { token: login.customerAccessTokenCreate.customerAccessToken.accessToken });
  assert.equal(me.customer.email, email);
  const old = await call(shop.client, mutations.login, { input: { email, password: 'first-secret-1' } });
  assert.equal(old.customerAccessTokenCreate.customerUserErrors[0].code, 'UNIDENTIFIED_CUSTOMER');
});
