import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { webTest } from './support/browser.js';
import { adminApi, byTestId, entry, signIn } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const server = await startWebServer({ basePath: '/drive' });
const downloads = tempDir('hubdrive-web-downloads');

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

webTest(
  'a password share: an anonymous visitor is refused a wrong password and downloads the file with the right one',
  {},
  async ({ page, newContext }) => {
    const api = await adminApi(server);
    const data = randomBytes(700 * 1024 + 3);
    assert.equal((await api.upload('/report.bin', data)).status, 201);

    await signIn(page, server);
    await entry(page, 'report.bin').locator('input[type="checkbox"]').check();
    await byTestId(page, 'action-share').click();
    await byTestId(page, 'share-dialog').waitFor();
    await byTestId(page, 'share-password').fill('share-secret-1');
    await byTestId(page, 'share-create').click();
    const link = await byTestId(page, 'share-link').inputValue();
    const url = new URL(link);
    assert.equal(url.origin, server.origin);
    const token = /^\/drive\/s\/([^/]+)$/.exec(url.pathname)?.[1];
    assert.ok(token, `the link is not a share link under BASE_PATH: ${link}`);

    const shares = await api.get<{ shares: { name: string; hasPassword: boolean }[] }>('/shares');
    assert.deepEqual(
      shares.body.shares.map((s) => [s.name, s.hasPassword]),
      [['report.bin', true]],
    );
    // Without the password the content is not served, whatever the UI shows.
    const locked = await fetch(`${server.url}/api/s/${token}/content?download=1`);
    assert.ok([401, 403].includes(locked.status), `locked content answered ${locked.status}`);

    // A visitor: a new context, so no session cookie and no storage of the owner's.
    const visitor = (await newContext()).page;
    await visitor.goto(link);
    await byTestId(visitor, 'share-page').waitFor();
    await byTestId(visitor, 'share-unlock-password').fill('not-the-password');
    await byTestId(visitor, 'share-unlock-submit').click();
    await byTestId(visitor, 'share-unlock-error').waitFor();
    assert.equal(await byTestId(visitor, 'share-download').count(), 0);

    await byTestId(visitor, 'share-unlock-password').fill('share-secret-1');
    await byTestId(visitor, 'share-unlock-submit').click();
    const button = byTestId(visitor, 'share-download');
    await button.waitFor();
    assert.equal(await byTestId(visitor, 'share-name').innerText(), 'report.bin');

    const [download] = await Promise.all([visitor.waitForEvent('download'), button.click()]);
    assert.equal(download.suggestedFilename(), 'report.bin');
    const saved = path.join(downloads, 'report.bin');
    await download.saveAs(saved);
    assert.equal(sha256(readFileSync(saved)), sha256(data));

    // The visitor never signed in: the drive's own API still refuses it.
    const status = await visitor.evaluate(async () => (await fetch('api/auth/session')).status);
    assert.equal(status, 401);
  },
);
