// The customer-account surface of a built storekeep binary, driven only
// through Shopify's Storefront API client, with mail read from a real SMTP
// server.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { call, clientLogs, customerQuery, mutations, storefront } from './lib/client.mjs';
import { accountLink, startSMTP } from './lib/smtp.mjs';
import { build, serve } from './lib/storekeep.mjs';

const readWrite = 'unauthenticated_write_customers,unauthenticated_read_customers';
let workspace, smtp, server, db, publicClient, privateClient, writeOnlyClient;
// secrets lists every token and password the tests saw, none of which
// may reach the server's log.
const secrets = new Set();

before(async () => {
  workspace = await build();
  smtp = await startSMTP();
  db = path.join(workspace.dir, 'storekeep.db');
  await workspace.cli(db, 'shop create', '--domain', 'shop.example', '--name', 'Example Shop');
  const token = (...flags) => workspace.cli(db, 'token create', '--shop', 'shop.example', ...flags);
  const publicToken = await token('--public', '--scopes', readWrite);
  const privateToken = await token('--private', '--scopes', readWrite);
  const writeOnlyToken = await token('--public', '--scopes', 'unauthenticated_write_customers');
  server = await serve(workspace, db, '--smtp', smtp.url);
  publicClient = storefront(server.base, { publicAccessToken: publicToken });
  privateClient = storefront(server.base, { privateAccessToken: privateToken });
  writeOnlyClient = storefront(server.base, { publicAccessToken: writeOnlyToken });
});

after(async () => {
  await server?.stop();
  await smtp?.close();
  await workspace?.remove();
});

async function signUp(email, password) {
  secrets.add(password);
  const data = await call(publicClient, mutations.create, { input: { email, password } });
  assert.deepEqual(data.customerCreate.customerUserErrors, []);
  return data.customerCreate.customer;
}

async function login(email, password) {
  const data = await call(publicClient, mutations.login, { input: { email, password } });
  return data.customerAccessTokenCreate;
}

async function me(accessToken) {
  return (await call(publicClient, customerQuery, { token: accessToken })).customer;
}

// recoverLink asks for a reset and returns the link mailed for it.
async function recoverLink(email) {
  const data = await call(publicClient, mutations.recover, { email });
  assert.deepEqual(data.customerRecover, { customerUserErrors: [], userErrors: [] });
  const link = accountLink(await smtp.waitFor(email, /reset/i), 'reset');
  secrets.add(link.split('/').pop());
  return link;
}

test('customerCreate signs a customer up, once per address; a private shop answers a taken address as a new one and mails the owner', async () => {
  const customer = await signUp('create@example.com', 'create-secret-1');
  assert.match(customer.id, /^gid:\/\/shopify\/Customer\/\d+$/);
  assert.equal(customer.email, 'create@example.com');

  const again = await signUp('create@example.com', 'other-secret-2');
  assert.match(again.id, /^gid:\/\/shopify\/Customer\/\d+$/);
  assert.notEqual(again.id, customer.id);
  const notice = await smtp.waitFor('create@example.com', /tried to sign up/);
  assert.match(notice.text, /already have an account/);
  assert.equal((await login('create@example.com', 'other-secret-2')).customerUserErrors[0].code, 'UNIDENTIFIED_CUSTOMER');
  assert.ok((await login('create@example.com', 'create-secret-1')).customerAccessToken);
});

test('customerAccessTokenCreate logs in; a wrong password is UNIDENTIFIED_CUSTOMER', async () => {
  const customer = await signUp('login@example.com', 'login-secret-1');
  const ok = await login('login@example.com', 'login-secret-1');
  assert.deepEqual(ok.customerUserErrors, []);
  assert.ok(Date.parse(ok.customerAccessToken.expiresAt) > Date.now());
  secrets.add(ok.customerAccessToken.accessToken);
  assert.deepEqual(await me(ok.customerAccessToken.accessToken), { id: customer.id, email: 'login@example.com' });

  const bad = await login('login@example.com', 'not-the-password');
  assert.equal(bad.customerAccessToken, null);
  assert.deepEqual(bad.customerUserErrors, [{ code: 'UNIDENTIFIED_CUSTOMER', field: null, message: 'Unidentified customer' }]);
});

test('customerRecover mails a reset link with text and HTML parts over SMTP', async () => {
  const customer = await signUp('recover@example.com', 'recover-secret-1');
  const unknown = await call(publicClient, mutations.recover, { email: 'nobody@example.com' });
  assert.deepEqual(unknown.customerRecover, { customerUserErrors: [], userErrors: [] });

  const link = await recoverLink('recover@example.com');
  const number = customer.id.split('/').pop();
  assert.match(link, new RegExp(`^https://shop\\.example/account/reset/${number}/[A-Za-z0-9_-]{43}$`));
  const mail = smtp.messages.find((m) => m.text?.includes(link));
  assert.match(mail.html, /Example Shop/);
  assert.ok(!smtp.messages.some((m) => m.to?.text === 'nobody@example.com'), 'an unknown address got mail');
});

test('customerResetByUrl redeems the mailed link; the new password logs in, the old does not', async () => {
  const customer = await signUp('byurl@example.com', 'byurl-secret-1');
  const link = await recoverLink('byurl@example.com');
  secrets.add('byurl-secret-2');

  const data = await call(publicClient, mutations.resetByUrl, { resetUrl: link, password: 'byurl-secret-2' });
  const payload = data.customerResetByUrl;
  assert.deepEqual(payload.customerUserErrors, []);
  assert.deepEqual(payload.customer, { id: customer.id, email: 'byurl@example.com' });
  secrets.add(payload.customerAccessToken.accessToken);
  assert.equal((await me(payload.customerAccessToken.accessToken)).id, customer.id);

  assert.deepEqual((await login('byurl@example.com', 'byurl-secret-2')).customerUserErrors, []);
  assert.equal((await login('byurl@example.com', 'byurl-secret-1')).customerUserErrors[0].code, 'UNIDENTIFIED_CUSTOMER');
});

test('customerReset redeems the id and token of the mailed link', async () => {
  const customer = await signUp('byid@example.com', 'byid-secret-1');
  const link = await recoverLink('byid@example.com');
  const [number, resetToken] = link.split('/').slice(-2);
  secrets.add('byid-secret-2');

  const data = await call(publicClient, mutations.reset, {
    id: `gid://shopify/Customer/${number}`,
    input: { resetToken, password: 'byid-secret-2' },
  });
  assert.deepEqual(data.customerReset.customerUserErrors, []);
  assert.equal(data.customerReset.customer.id, customer.id);
  assert.deepEqual((await login('byid@example.com', 'byid-secret-2')).customerUserErrors, []);
});

test('a reset revokes the access tokens issued before it and spends the link', async () => {
  await signUp('revoke@example.com', 'revoke-secret-1');
  const before = (await login('revoke@example.com', 'revoke-secret-1')).customerAccessToken.accessToken;
  secrets.add(before);
  assert.ok(await me(before));

  const link = await recoverLink('revoke@example.com');
  secrets.add('revoke-secret-2');
  const reset = (await call(publicClient, mutations.resetByUrl, { resetUrl: link, password: 'revoke-secret-2' })).customerResetByUrl;
  const fresh = reset.customerAccessToken.accessToken;
  secrets.add(fresh);

  assert.equal(await me(before), null, 'the token issued before the reset still works');
  assert.equal((await me(fresh)).email, 'revoke@example.com');

  const again = (await call(publicClient, mutations.resetByUrl, { resetUrl: link, password: 'revoke-secret-3' })).customerResetByUrl;
  assert.equal(again.customerAccessToken, null);
  assert.deepEqual(again.customerUserErrors.map((e) => [e.code, e.field]), [['TOKEN_INVALID', ['resetUrl']]]);
});

test('a private token names the buyer with Shopify-Storefront-Buyer-IP, and only a private token', async () => {
  const fields = Array.from({ length: 21 }, (_, i) => `r${i}: customerRecover(email: "buyer${i}@example.com") { customerUserErrors { code } }`);
  const buyer = (ip) => ({ 'Shopify-Storefront-Buyer-IP': ip });

  const { data, errors } = await privateClient.request(`mutation { ${fields.join('\n')} }`, { headers: buyer('198.51.100.7') });
  assert.deepEqual(data.r19, { customerUserErrors: [] });
  assert.equal(data.r20, null, 'the 21st recover from one buyer IP in ten minutes went through');
  assert.deepEqual(errors.graphQLErrors.map((e) => [e.path, e.extensions.code]), [[['r20'], 'THROTTLED']]);

  const one = 'mutation { customerRecover(email: "buyer-other@example.com") { customerUserErrors { code } } }';
  const other = await privateClient.request(one, { headers: buyer('198.51.100.8') });
  assert.equal(other.errors, undefined, 'another buyer behind the same server was throttled');

  const viaPublic = await publicClient.request(one.replace('buyer-other', 'buyer-public'), { headers: buyer('198.51.100.7') });
  assert.equal(viaPublic.errors, undefined, 'a public token was allowed to name the buyer');
});

test('a token without unauthenticated_read_customers gets ACCESS_DENIED on customer', async () => {
  await signUp('scope@example.com', 'scope-secret-1');
  const token = (await login('scope@example.com', 'scope-secret-1')).customerAccessToken.accessToken;
  secrets.add(token);

  const { data, errors } = await writeOnlyClient.request(customerQuery, { variables: { token } });
  assert.equal(errors.networkStatusCode, 200);
  assert.deepEqual(data, { customer: null });
  const [denied] = errors.graphQLErrors;
  assert.equal(denied.message, 'Access denied for customer field. Required access: `unauthenticated_read_customers` access scope.');
  assert.deepEqual(denied.path, ['customer']);
  assert.equal(denied.extensions.code, 'ACCESS_DENIED');
  assert.equal(denied.extensions.requiredAccess, '`unauthenticated_read_customers` access scope.');
});

test('customerRecover is throttled per address with Shopify\'s error', async () => {
  const fields = [0, 1, 2, 3].map((i) => `a${i}: customerRecover(email: "throttle@example.com") { customerUserErrors { code } }`);
  const { data, errors } = await publicClient.request(`mutation { ${fields.join('\n')} }`);
  assert.deepEqual([data.a0, data.a1, data.a2], Array(3).fill({ customerUserErrors: [] }));
  assert.equal(data.a3, null);
  assert.deepEqual(errors.graphQLErrors, [{
    message: 'Resetting password limit exceeded. Please try again later.',
    path: ['a3'],
    extensions: { code: 'THROTTLED' },
  }]);
});

test('customerActivateByUrl redeems the invitation an invited customer is mailed', async () => {
  await workspace.cli(db, 'customer create', '--shop', 'shop.example', '--email', 'invited@example.com', '--first-name', 'Grace');
  const link = accountLink(await smtp.waitFor('invited@example.com', /activ|invit|welcome/i), 'activate');
  assert.match(link, /^https:\/\/shop\.example\/account\/activate\/\d+\/[A-Za-z0-9_-]{43}$/);
  secrets.add(link.split('/').pop());
  secrets.add('invited-secret-1');

  const data = await call(publicClient, mutations.activateByUrl, { activationUrl: link, password: 'invited-secret-1' });
  assert.deepEqual(data.customerActivateByUrl.customerUserErrors, []);
  assert.equal(data.customerActivateByUrl.customer.email, 'invited@example.com');
  assert.deepEqual((await login('invited@example.com', 'invited-secret-1')).customerUserErrors, []);
});

test('the dev mailbox is off when SMTP is configured', async () => {
  for (const p of ['/_dev/mailbox', '/_dev/mailbox/messages']) {
    assert.equal((await fetch(server.base + p)).status, 404, p);
  }
});

test('the client warned of no API version, and the server logged no token or password', () => {
  assert.deepEqual(clientLogs.filter((l) => l.type === 'Unsupported_Api_Version'), []);
  assert.ok(secrets.size >= 10);
  const logs = server.logs();
  for (const secret of secrets) assert.ok(!logs.includes(secret), 'the server log holds a secret');
});
