import assert from 'node:assert/strict';
import http from 'node:http';
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

/** A GET whose request target is written exactly as given (percent-escapes, absolute form). */
function rawTarget(origin: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ALLOW_IPS cannot be dodged by spelling BASE_PATH differently', () => {
  test('percent-escaped and absolute-form targets that reach the drive are refused too', async () => {
    const app = await startApp({ ALLOW_IPS: '10.0.0.0/8', BASE_PATH: '/xmj' });
    for (const target of [
      '/%78mj/healthz',
      '/xm%6a/healthz',
      '/%78%6d%6a/api/setup',
      `${app.origin}/xmj/healthz`,
      `${app.origin}/%78mj/api/setup`,
    ]) {
      const res = await rawTarget(app.origin, target);
      assert.equal(res.status, 403, `${target} answered ${res.status}: ${res.body}`);
      assert.match(res.body, /IP_NOT_ALLOWED/);
    }
    // Outside BASE_PATH the decoy answers, as a static site, and never with the drive's refusal.
    assert.equal((await rawTarget(app.origin, '/')).status, 200);
    const absolute = await rawTarget(app.origin, `${app.origin}/`);
    assert.doesNotMatch(absolute.body, /IP_NOT_ALLOWED|"error"/);
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
