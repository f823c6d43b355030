// A storekeep server that hosts its shop's account pages itself: the
// shop's storefront URL is the server's own address, and mail goes to the
// dev mailbox (no SMTP configured).
import path from 'node:path';

import { storefront } from './client.mjs';
import { build, serve } from './storekeep.mjs';

export const shopName = 'Northwind Goods';

// startHostedShop starts a server with the dev mailbox and a shop whose
// storefront URL is the server's address: given with --storefront-url, or,
// with { defaults: true }, left to the server's dev-mailbox default.
export async function startHostedShop({ defaults = false } = {}) {
  const workspace = await build();
  const db = path.join(workspace.dir, 'hosted.db');
  const server = await serve(workspace, db);
  const storefrontFlags = defaults ? [] : ['--storefront-url', server.base];
  await workspace.cli(db, 'shop create', '--domain', 'shop.example', '--name', shopName, ...storefrontFlags);
  const publicAccessToken = await workspace.cli(db, 'token create', '--shop', 'shop.example', '--public',
    '--scopes', 'unauthenticated_write_customers,unauthenticated_read_customers');
  return {
    workspace,
    server,
    client: storefront(server.base, { publicAccessToken }),
    async stop() {
      await server.stop();
      await workspace.remove();
    },
  };
}

// mailboxLink polls the dev mailbox's JSON for the newest mail to `to`
// carrying a /account/<kind>/ link and returns that link.
export async function mailboxLink(base, to, kind = 'reset') {
  const pattern = new RegExp(`https?://\\S+/account/${kind}/\\d+/[A-Za-z0-9_-]+`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${base}/_dev/mailbox/messages?to=${encodeURIComponent(to)}`);
    if (!res.ok) throw new Error(`mailbox: HTTP ${res.status}`);
    for (const m of await res.json()) {
      const link = pattern.exec(m.text)?.[0];
      if (link) return link;
    }
    if (Date.now() > deadline) throw new Error(`no ${kind} mail to ${to} in the dev mailbox within 20s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
