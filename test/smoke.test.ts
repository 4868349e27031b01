import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from './helpers/app.js';
import { ApiClient } from './helpers/client.js';

test('a file uploaded through the API downloads byte-exact', async () => {
  const { url } = await startApp();
  const client = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const put = await client.upload('/hello.bin', data);
  assert.equal(put.status, 201);
  const got = await client.download('/hello.bin');
  assert.equal(got.status, 200);
  assert.ok(got.bytes.equals(data));
});
