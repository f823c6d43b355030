// The hosted reset page and the dev mailbox of a built storekeep binary,
// over plain HTTP as mail scanners and link previews see them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { call, mutations } from './lib/client.mjs';
import { mailboxLink, shopName, startHostedShop } from './lib/hosted.mjs';

let shop;
const tokens = new Set();

before(async () => {
  shop = await startHostedShop();
});

after(async () => {
  await shop?.stop();
});

async function customerWithLink(email) {
  const created = await call(shop.client, mutations.create, { input: { email, password: 'first-secret-1' } });
  assert.deepEqual(created.customerCreate.customerUserErrors, []);
  const recovered = await call(shop.client, mutations.recover, { email });
  assert.deepEqual(recovered.customerRecover.customerUserErrors, []);
  const link = await mailboxLink(shop.server.base, email);
  tokens.add(link.split('/').pop());
  return link;
}

test('the reset link leads to the page storekeep hosts, with or without a locale prefix', async () => {
  const link = await customerWithLink('hosted@example.com');
  assert.ok(link.startsWith(`${shop.server.base}/account/reset/`), link);
  for (const url of [link, link.replace('/account/', '/fr-ca/account/')]) {
    const res = await fetch(url);
    assert.equal(res.status, 200, url);
    assert.match(await res.text(), /<h1>Reset your password<\/h1>/);
  }
});

test('fetching a reset link, as a mail scanner does, leaves it usable', async () => {
  const link = await customerWithLink('scanner@example.com');
  for (let i = 0; i < 3; i++) {
    const res = await fetch(link, { headers: { 'User-Agent': 'LinkPreviewBot/1.0' } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(shopName));
    assert.match(html, /<form method="post"/);
  }
  const reset = await call(shop.client, mutations.resetByUrl, { resetUrl: link, password: 'second-secret-2' });
  assert.deepEqual(reset.customerResetByUrl.customerUserErrors, []);
  assert.ok(reset.customerResetByUrl.customerAccessToken.accessToken);
});

test('the hosted page sends strict headers and needs no script', async () => {
  const link = await customerWithLink('headers@example.com');
  const res = await fetch(link);
  assert.equal(res.headers.get('content-security-policy'),
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('set-cookie'), /HttpOnly; SameSite=Strict/);
  assert.doesNotMatch(await res.text(), /<script/i);
});

test('a form post without the page\'s CSRF cookie is refused and spends nothing', async () => {
  const link = await customerWithLink('csrf@example.com');
  const page = await (await fetch(link)).text();
  const token = /name="csrf_token" value="([^"]+)"/.exec(page)[1];
  const res = await fetch(link, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: token, password: 'second-secret-2', password_confirmation: 'second-secret-2' }),
  });
  assert.equal(res.status, 403);
  const reset = await call(shop.client, mutations.resetByUrl, { resetUrl: link, password: 'second-secret-2' });
  assert.deepEqual(reset.customerResetByUrl.customerUserErrors, []);
});

test('the dev mailbox lists mail newest first as JSON, filters by recipient, and clears', async () => {
  await customerWithLink('first@example.com');
  await customerWithLink('second@example.com');
  const all = await (await fetch(`${shop.server.base}/_dev/mailbox/messages`)).json();
  const recipients = all.map((m) => m.to);
  assert.ok(recipients.indexOf('second@example.com') < recipients.indexOf('first@example.com'), recipients.join(', '));
  for (const m of all) assert.ok(m.subject && m.text && m.html && Date.parse(m.receivedAt), JSON.stringify(m));

  const mine = await (await fetch(`${shop.server.base}/_dev/mailbox/messages?to=FIRST@example.com`)).json();
  assert.deepEqual([...new Set(mine.map((m) => m.to))], ['first@example.com']);

  assert.equal((await fetch(`${shop.server.base}/_dev/mailbox/messages`, { method: 'DELETE' })).status, 204);
  assert.deepEqual(await (await fetch(`${shop.server.base}/_dev/mailbox/messages`)).json(), []);
});

test('the server log holds no link token', () => {
  assert.ok(tokens.size >= 5);
  const logs = shop.server.logs();
  assert.match(logs, /"route":"[^"]*\/account\/[^"]*\{token\}"/, 'the hosted pages were not logged by route pattern');
  for (const token of tokens) assert.ok(!logs.includes(token), 'the server log holds a link token');
});
