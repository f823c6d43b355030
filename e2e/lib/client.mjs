// Shopify's own Storefront API client pointed at storekeep: the only
// change is customFetchApi sending the shop's URL to the local server.
import { createStorefrontApiClient } from '@shopify/storefront-api-client';

export const storeDomain = 'https://shop.example';
// The release that is current on 2026-11-23, which the client accepts
// without a warning until 2027-10.
export const apiVersion = '2026-10';

// clientLogs collects what every client logged, such as an unsupported
// API version.
export const clientLogs = [];

export function storefront(base, tokens) {
  return createStorefrontApiClient({
    storeDomain,
    apiVersion,
    ...tokens,
    customFetchApi: (url, init) => fetch(url.replace(storeDomain, base), init),
    logger: (log) => clientLogs.push(log),
  });
}

// call runs one operation and returns its data, failing on any error.
export async function call(client, operation, variables, headers) {
  const { data, errors } = await client.request(operation, { variables, headers });
  if (errors) throw new Error(`${operation.trim().split('\n')[0]}: ${JSON.stringify(errors)}`);
  return data;
}

export const mutations = {
  create: `mutation create($input: CustomerCreateInput!) {
    customerCreate(input: $input) { customer { id email } customerUserErrors { code field message } }
  }`,
  login: `mutation login($input: CustomerAccessTokenCreateInput!) {
    customerAccessTokenCreate(input: $input) {
      customerAccessToken { accessToken expiresAt }
      customerUserErrors { code field message }
    }
  }`,
  recover: `mutation recover($email: String!) {
    customerRecover(email: $email) { customerUserErrors { code field message } userErrors { field message } }
  }`,
  resetByUrl: `mutation resetByUrl($resetUrl: URL!, $password: String!) {
    customerResetByUrl(resetUrl: $resetUrl, password: $password) {
      customer { id email }
      customerAccessToken { accessToken expiresAt }
      customerUserErrors { code field message }
    }
  }`,
  reset: `mutation reset($id: ID!, $input: CustomerResetInput!) {
    customerReset(id: $id, input: $input) {
      customer { id email }
      customerAccessToken { accessToken expiresAt }
      customerUserErrors { code field message }
    }
  }`,
  activateByUrl: `mutation activateByUrl($activationUrl: URL!, $password: String!) {
    customerActivateByUrl(activationUrl: $activationUrl, password: $password) {
      customer { id email }
      customerAccessToken { accessToken expiresAt }
      customerUserErrors { code field message }
    }
  }`,
};

export const customerQuery = `query me($token: String!) { customer(customerAccessToken: $token) { id email } }`;
