// Writes address/countries.json, storekeep's country, province and address
// format data, from Shopify's own address data as published in npm
// @shopify/address-mocks (MIT, github.com/Shopify/quilt): the English
// answer of Shopify's address service, with every country's zones and
// display format.
//
//   npm pack @shopify/address-mocks@3.3.1 && tar xzf shopify-address-mocks-3.3.1.tgz
//   node tools/countrydata/main.mjs package/build/cjs/fixtures/countries_en.js > address/countries.json
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const source = process.argv[2];
if (!source) {
  console.error('usage: node tools/countrydata/main.mjs countries_en.js > address/countries.json');
  process.exit(2);
}
const { countries } = require(path.resolve(source)).default.data;
const out = countries.map((c) => ({
  code: c.code,
  name: c.name,
  format: c.formatting.show,
  zones: c.zones.map((z) => ({ code: z.code, name: z.name })),
}));
process.stdout.write(JSON.stringify({ source: '@shopify/address-mocks@3.3.1 countries_en', countries: out }, null, 1) + '\n');
