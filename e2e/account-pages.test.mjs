// The account pages of Hydrogen's skeleton and demo-store templates, run
// against a built storekeep binary with their own GraphQL documents
// (skeleton/documents.mjs) through Shopify's Storefront API client: sign-up,
// sign-in, the address book, the account page, and orders imported with
// `storekeep order import` or delivered by a signed webhook, shown once the
// customer has proved its mailbox through the link mailed to it at sign-up
// (read from the dev mailbox).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { call, mutations, storefront } from './lib/client.mjs';
import { mailboxLink } from './lib/hosted.mjs';
import { build, repoRoot, serve } from './lib/storekeep.mjs';
import * as docs from './skeleton/documents.mjs';

const webhookSecret = 'shpss_e2e_webhook_secret';
const email = 'skeleton.buyer@example.com';
const password = 'a long enough password';
const newPassword = 'another long enough password';
// The storefront's locale, which every skeleton document sends to @inContext.
const inContext = { country: 'CA', language: 'EN' };
let workspace, server, client;

// order is Shopify's sample order with its id, email and date replaced.
async function order(id, buyer, processedAt) {
  const sample = JSON.parse(await readFile(path.join(repoRoot, 'order/testdata/orders_create.json'), 'utf8'));
  return { ...sample, id, email: buyer, contact_email: buyer, processed_at: processedAt, updated_at: processedAt };
}

before(async () => {
  workspace = await build();
  const db = path.join(workspace.dir, 'storekeep.db');
  const secretFile = path.join(workspace.dir, 'webhook-secret');
  await writeFile(secretFile, webhookSecret + '\n', { mode: 0o600 });
  await workspace.cli(db, 'shop create', '--domain', 'shop.example', '--webhook-secret-file', secretFile);
  const token = await workspace.cli(db, 'token create', '--shop', 'shop.example', '--public',
    '--scopes', 'unauthenticated_write_customers,unauthenticated_read_customers');
  const lines = [
    await order(1001, email, '2024-01-05T10:00:00Z'),
    await order(1002, email.toUpperCase(), '2024-03-05T10:00:00Z'),
    await order(1003, 'someone.else@example.com', '2024-04-05T10:00:00Z'),
  ];
  const file = path.join(workspace.dir, 'orders.jsonl');
  await writeFile(file, lines.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const summary = await workspace.cli(db, 'order import', '--shop', 'shop.example', file);
  assert.match(summary, /^3 lines: 3 orders saved/);
  server = await serve(workspace, db);
  client = storefront(server.base, { publicAccessToken: token });
});

after(async () => {
  await server?.stop();
  await workspace?.remove();
});

let accessToken;

test('register and sign in with the skeleton documents', async () => {
  const created = await call(client, docs.CUSTOMER_CREATE_MUTATION,
    { input: { email, password, firstName: 'Sam', lastName: 'Skeleton' }, ...inContext });
  assert.deepEqual(created.customerCreate.customerUserErrors, []);
  assert.match(created.customerCreate.customer.id, /^gid:\/\/shopify\/Customer\/\d+$/);
  const registered = await call(client, docs.REGISTER_LOGIN_MUTATION, { input: { email, password }, ...inContext });
  assert.deepEqual(registered.customerAccessTokenCreate.customerUserErrors, []);
  const login = await call(client, docs.LOGIN_MUTATION, { input: { email, password } });
  assert.deepEqual(login.customerAccessTokenCreate.customerUserErrors, []);
  accessToken = login.customerAccessTokenCreate.customerAccessToken.accessToken;
});

test('no orders until the mailbox is proved, then the link mailed at sign-up shows them', async () => {
  const unproved = await call(client, docs.ACCOUNT_CUSTOMER_QUERY, { customerAccessToken: accessToken, ...inContext });
  assert.equal(unproved.customer.numberOfOrders, '0');
  // Orders wait for the address, so the sign-up mailed it a link that proves it: a reset link.
  const link = await mailboxLink(server.base, email, 'reset');
  const reset = await call(client, mutations.resetByUrl, { resetUrl: link, password: newPassword });
  assert.deepEqual(reset.customerResetByUrl.customerUserErrors, []);
  const login = await call(client, docs.LOGIN_MUTATION, { input: { email, password: newPassword } });
  assert.deepEqual(login.customerAccessTokenCreate.customerUserErrors, []);
  accessToken = login.customerAccessTokenCreate.customerAccessToken.accessToken;
});

test('add two addresses, make the second the default, update the first, delete it', async () => {
  const create = async (address) => {
    const data = await call(client, docs.CREATE_ADDRESS_MUTATION, { customerAccessToken: accessToken, address, ...inContext });
    assert.deepEqual(data.customerAddressCreate.customerUserErrors, []);
    return data.customerAddressCreate.customerAddress.id;
  };
  const home = await create({ firstName: 'Sam', lastName: 'Skeleton', address1: '1 Main Street', city: 'Ottawa',
    province: 'Ontario', country: 'Canada', zip: 'K1A 0B1', phone: '+16135550100' });
  const work = await create({ firstName: 'Sam', lastName: 'Skeleton', company: 'Bones Inc', address1: '2 Rue Sainte-Catherine',
    city: 'Montréal', province: 'QC', country: 'CA', zip: 'H2X 1Y4' });

  const made = await call(client, docs.UPDATE_DEFAULT_ADDRESS_MUTATION,
    { customerAccessToken: accessToken, addressId: decodeURIComponent(work), ...inContext });
  assert.deepEqual(made.customerDefaultAddressUpdate.customerUserErrors, []);
  assert.equal(made.customerDefaultAddressUpdate.customer.defaultAddress.id, work);

  const updated = await call(client, docs.UPDATE_ADDRESS_MUTATION, { customerAccessToken: accessToken,
    id: decodeURIComponent(home), address: { address2: 'Apartment 4' }, ...inContext });
  assert.deepEqual(updated.customerAddressUpdate.customerUserErrors, []);

  const deleted = await call(client, docs.DELETE_ADDRESS_MUTATION, { customerAccessToken: accessToken, id: home, ...inContext });
  assert.deepEqual(deleted.customerAddressDelete.customerUserErrors, []);
  assert.equal(deleted.customerAddressDelete.deletedCustomerAddressId, home);
});

test('the account page of both templates', async () => {
  const { customer } = await call(client, docs.ACCOUNT_CUSTOMER_QUERY, { customerAccessToken: accessToken, ...inContext });
  assert.equal(customer.email, email);
  assert.equal(customer.firstName, 'Sam');
  assert.equal(customer.numberOfOrders, '2');
  assert.equal(customer.addresses.nodes.length, 1);
  assert.equal(customer.defaultAddress.id, customer.addresses.nodes[0].id);
  assert.equal(customer.defaultAddress.city, 'Montréal');
  assert.equal(customer.defaultAddress.province, 'Quebec');
  assert.equal(customer.defaultAddress.company, 'Bones Inc');
  assert.ok(customer.defaultAddress.formatted.includes('2 Rue Sainte-Catherine'));

  const demo = await call(client, docs.DEMO_CUSTOMER_QUERY, { customerAccessToken: accessToken, ...inContext });
  assert.equal(demo.customer.addresses.edges.length, 1);
  assert.deepEqual(demo.customer.orders.edges.map((e) => e.node.orderNumber), [1234, 1234]);
});

test('orders imported and delivered by webhook, listed and opened by their node id', async () => {
  const body = JSON.stringify(await order(1004, email, '2024-06-05T10:00:00Z'));
  const delivery = await fetch(server.base + '/webhooks/shopify', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'orders/create',
      'X-Shopify-Shop-Domain': 'shop.example',
      'X-Shopify-Webhook-Id': 'e2e-delivery-1',
      'X-Shopify-Hmac-Sha256': createHmac('sha256', webhookSecret).update(body).digest('base64'),
    },
    body,
  });
  assert.equal(delivery.status, 200);

  const { customer } = await call(client, docs.ORDERS_CUSTOMER_ORDERS_QUERY,
    { customerAccessToken: accessToken, first: 20, ...inContext });
  assert.equal(customer.numberOfOrders, '3');
  const orders = customer.orders.nodes;
  assert.deepEqual(orders.map((o) => o.id.split('?')[0]),
    ['gid://shopify/Order/1004', 'gid://shopify/Order/1002', 'gid://shopify/Order/1001']);
  assert.equal(customer.orders.pageInfo.hasNextPage, false);
  assert.deepEqual(orders[0].currentTotalPrice, { amount: '398.0', currencyCode: 'USD' });
  assert.equal(orders[0].lineItems.nodes[0].title, 'IPod Nano - 8GB');

  // The skeleton links an order as btoa(order.id) and its page queries atob of it.
  const skeletonId = Buffer.from(Buffer.from(orders[1].id).toString('base64'), 'base64').toString();
  const { order: opened } = await call(client, docs.CUSTOMER_ORDER_QUERY, { orderId: skeletonId, ...inContext });
  assert.equal(opened.id, orders[1].id);
  assert.equal(opened.name, '#9999');
  assert.deepEqual(opened.totalPriceV2, { amount: '388.0', currencyCode: 'USD' });
  assert.equal(opened.shippingAddress.address1, '123 Shipping Street');
  assert.equal(opened.lineItems.nodes.length, 2);
  assert.equal(opened.lineItems.nodes[0].variant.sku, 'IPOD2008PINK');

  // demo-store builds gid://shopify/Order/<id>?key=<key> from its route.
  const [, id, key] = /^gid:\/\/shopify\/Order\/(\d+)\?key=(\w+)$/.exec(orders[2].id);
  const { node } = await call(client, docs.DEMO_CUSTOMER_ORDER_QUERY, { orderId: `gid://shopify/Order/${id}?key=${key}` });
  assert.equal(node.id, orders[2].id);

  for (const orderId of [`gid://shopify/Order/1003?key=${key}`, 'gid://shopify/Order/1003', `gid://shopify/Order/${id}`,
    `gid://shopify/Order/${id}?key=${'0'.repeat(key.length)}`]) {
    const { order: none } = await call(client, docs.CUSTOMER_ORDER_QUERY, { orderId });
    assert.equal(none, null, `${orderId} opened an order`);
  }
});
