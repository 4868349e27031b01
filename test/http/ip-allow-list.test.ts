import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { assertError, raw, type RawResponse } from './support.js';

function login(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
}

function healthz(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(`${url}/healthz`, { headers });
}

describe('ALLOW_IPS without a trusted proxy', () => {
  test('a list that does not hold 127.0.0.1 refuses everything under BASE_PATH with 403 IP_NOT_ALLOWED', async () => {
    const app = await startApp({ ALLOW_IPS: '10.0.0.0/8', BASE_PATH: '/xmj' });
    assertError(await healthz(app.url), 403, 'IP_NOT_ALLOWED');
    assertError(await raw(`${app.url}/api/setup`), 403, 'IP_NOT_ALLOWED');
    assertError(await raw(`${app.url}/`), 403, 'IP_NOT_ALLOWED');
    assertError(await raw(app.url), 403, 'IP_NOT_ALLOWED');
    assertError(await raw(`${app.url}/api/nope`), 403, 'IP_NOT_ALLOWED');
    assertError(
      await raw(`${app.url}/api/fs/content?path=%2Fa`, { method: 'PUT', body: 'x' }),
      403,
      'IP_NOT_ALLOWED',
    );
    const refused = await login(app.url);
    assertError(refused, 403, 'IP_NOT_ALLOWED');
    assert.equal(refused.headers.getSetCookie().length, 0);
    // Without a trusted proxy, X-Forwarded-For is the client's word and is ignored.
    assertError(await healthz(app.url, { 'x-forwarded-for': '10.1.2.3' }), 403, 'IP_NOT_ALLOWED');
    assertError(
      await login(app.url, { 'x-forwarded-for': '10.1.2.3', 'x-real-ip': '10.1.2.3' }),
      403,
      'IP_NOT_ALLOWED',
    );
    // The decoy outside BASE_PATH is a public site, open to anyone.
    assert.equal((await raw(`${app.origin}/`)).status, 200);
  });

  test('a list that holds 127.0.0.1 lets it in, whatever X-Forwarded-For says', async () => {
    const app = await startApp({ ALLOW_IPS: '127.0.0.1' });
    assert.equal((await healthz(app.url)).status, 200);
    assert.equal((await login(app.url)).status, 200);
    assert.equal((await healthz(app.url, { 'x-forwarded-for': '10.1.2.3' })).status, 200);
  });

  test('a CIDR and an IPv6 entry in the list work together', async () => {
    const app = await startApp({ ALLOW_IPS: '::1, 127.0.0.0/8' });
    assert.equal((await healthz(app.url)).status, 200);
    const other = await startApp({ ALLOW_IPS: '::1, 192.168.0.0/16' });
    assertError(await healthz(other.url), 403, 'IP_NOT_ALLOWED');
  });
});

describe('ALLOW_IPS behind a trusted proxy', () => {
  test('with TRUST_PROXY=127.0.0.1 the X-Forwarded-For address is the one checked', async () => {
    const app = await startApp({ ALLOW_IPS: '10.0.0.0/8', TRUST_PROXY: '127.0.0.1' });
    assert.equal((await healthz(app.url, { 'x-forwarded-for': '10.1.2.3' })).status, 200);
    assert.equal((await login(app.url, { 'x-forwarded-for': '10.1.2.3' })).status, 200);
    // The proxy's own address is not on the list.
    assertError(await healthz(app.url), 403, 'IP_NOT_ALLOWED');
    assertError(await healthz(app.url, { 'x-forwarded-for': '192.168.1.1' }), 403, 'IP_NOT_ALLOWED');
    assertError(await login(app.url, { 'x-forwarded-for': '8.8.8.8' }), 403, 'IP_NOT_ALLOWED');
    // Only the hop the trusted proxy added counts: a client cannot prepend an allowed address.
    assertError(
      await healthz(app.url, { 'x-forwarded-for': '10.1.2.3, 192.168.1.1' }),
      403,
      'IP_NOT_ALLOWED',
    );
    assertError(await healthz(app.url, { 'x-forwarded-for': 'not-an-ip' }), 403, 'IP_NOT_ALLOWED');
  });

  test('with TRUST_PROXY and a list without the forwarded address, the request is refused', async () => {
    const app = await startApp({ ALLOW_IPS: '127.0.0.1', TRUST_PROXY: '127.0.0.1' });
    assertError(await healthz(app.url, { 'x-forwarded-for': '10.1.2.3' }), 403, 'IP_NOT_ALLOWED');
    assertError(await login(app.url, { 'x-forwarded-for': '10.1.2.3' }), 403, 'IP_NOT_ALLOWED');
    // A request straight from the proxy's address, with no header, is the proxy itself.
    assert.equal((await healthz(app.url)).status, 200);
  });

  test('an IPv4-mapped IPv6 forwarded address matches an IPv4 range', async () => {
    const app = await startApp({ ALLOW_IPS: '10.0.0.0/8', TRUST_PROXY: '127.0.0.1' });
    assert.equal((await healthz(app.url, { 'x-forwarded-for': '::ffff:10.9.8.7' })).status, 200);
    assertError(await healthz(app.url, { 'x-forwarded-for': '::ffff:11.9.8.7' }), 403, 'IP_NOT_ALLOWED');
  });
});
