import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { webTest } from './support/browser.js';
import { Throttle } from './support/network.js';
import { until } from '../helpers/wait.js';
import { adminApi, byTestId, entry, named, signIn, submitLogin } from './support/ui.js';
import { ADMIN_PASSWORD, ADMIN_USER, startWebServer } from './support/web-server.js';

// Screenshots of the main views for people to look at (not compared pixel by pixel): every view in
// English and Chinese, light and dark, at desktop width, and the file list on a phone.
const server = await startWebServer();

async function photo(width: number, height: number, hue: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      raw[at] = (hue + (x * 255) / width) & 0xff;
      raw[at + 1] = Math.round((200 * y) / height);
      raw[at + 2] = (255 - hue + (x + y) / 4) & 0xff;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

// A drive with something in it: folders, pictures, documents, an item in the trash, another user.
const api = await adminApi(server);
for (const folder of ['/Photos', '/Documents', '/Projects', '/项目资料']) {
  assert.equal((await api.post('/fs/mkdir', { path: folder })).status, 201);
}
for (const [name, hue] of [
  ['sunset.jpg', 10],
  ['harbour.jpg', 120],
  ['forest.jpg', 200],
] as const) {
  assert.equal((await api.upload(`/${name}`, await photo(1200, 800, hue))).status, 201);
}
assert.equal((await api.upload('/notes.md', '# Notes\n\n- buy milk\n- 写周报\n')).status, 201);
assert.equal((await api.upload('/budget 2025.csv', 'month,amount\njan,12\nfeb,15\n')).status, 201);
assert.equal((await api.upload('/archive.bin', randomBytes(3 * 1024 * 1024))).status, 201);
assert.equal((await api.upload('/年度报告.txt', '这是一个测试文件。\n')).status, 201);
assert.equal((await api.upload('/old draft.txt', 'to be deleted\n')).status, 201);
assert.equal((await api.post('/fs/delete', { path: '/old draft.txt' })).status, 204);
assert.equal(
  (await api.post('/admin/users', { username: 'alice', password: 'alice-password-1' })).status,
  201,
);

const COMBOS = [
  { lang: 'en', locale: 'en-US', theme: 'light' },
  { lang: 'en', locale: 'en-US', theme: 'dark' },
  { lang: 'zh-CN', locale: 'zh-CN', theme: 'light' },
  { lang: 'zh-CN', locale: 'zh-CN', theme: 'dark' },
] as const;

for (const { lang, locale, theme } of COMBOS) {
  // The browser's language and colour scheme pick the UI's, as for a first visit.
  webTest(
    `screenshots of every main view, ${lang} ${theme}`,
    { locale, colorScheme: theme, timeout: 120_000 },
    async ({ page, screenshot, newContext }) => {
      const shot = (view: string, on = page) => screenshot(`${view}-${lang}-${theme}`, on);

      await page.goto(`${server.url}/login`);
      await byTestId(page, 'login-form').waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await shot('login');
      await submitLogin(page, ADMIN_USER, ADMIN_PASSWORD);
      await byTestId(page, 'file-browser').waitFor();
      await entry(page, 'sunset.jpg').waitFor();
      await shot('files');

      await byTestId(page, 'view-grid').click();
      await until('the thumbnails', async () => {
        const thumbs = page.locator('[data-testid="thumbnail"] img, img[data-testid="thumbnail"]');
        const n = await thumbs.count();
        if (n === 0) return true; // no thumbnails drawn as <img>: nothing to wait for
        for (let i = 0; i < n; i++) {
          if (!(await thumbs.nth(i).evaluate((el) => (el as unknown as { complete: boolean }).complete)))
            return false;
        }
        return true;
      });
      await shot('grid');
      await byTestId(page, 'view-list').click();

      await entry(page, 'harbour.jpg').dblclick();
      const image = byTestId(page, 'preview-image');
      await until('the preview image', () =>
        image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 0),
      );
      await shot('preview');
      await page.keyboard.press('Escape');
      await byTestId(page, 'preview-modal').waitFor({ state: 'detached' });
      // The first Escape closed the preview; harbour.jpg is still selected until this one.
      await page.keyboard.press('Escape');

      await entry(page, 'notes.md').locator('input[type="checkbox"]').check();
      await byTestId(page, 'action-share').click();
      await byTestId(page, 'share-password').waitFor();
      await shot('share-dialog');
      await byTestId(page, 'share-create').click();
      const link = await byTestId(page, 'share-link').inputValue();
      await shot('share-created');
      await page.keyboard.press('Escape');

      const visitor = (await newContext()).page;
      await visitor.goto(link);
      await byTestId(visitor, 'share-download').waitFor();
      await shot('share-page', visitor);

      await byTestId(page, 'nav-trash').click();
      await named(page, 'trash-entry', 'old draft.txt').waitFor();
      await shot('trash');

      await byTestId(page, 'nav-settings').click();
      await byTestId(page, 'password-current').waitFor();
      await shot('settings');

      await byTestId(page, 'nav-admin').click();
      await named(page, 'user-row', 'alice').waitFor();
      await byTestId(page, 'store-status').waitFor();
      await shot('admin');

      // The upload panel mid-upload: a slow link holds it at a few percent.
      await byTestId(page, 'nav-files').click();
      const throttle = await Throttle.of(page);
      await throttle.upload(256 * 1024);
      await byTestId(page, 'upload-input-files').setInputFiles({
        name: `upload-${lang}-${theme}.bin`,
        mimeType: 'application/octet-stream',
        buffer: randomBytes(4 * 1024 * 1024),
      });
      const progress = named(page, 'upload-item', `upload-${lang}-${theme}.bin`).getByTestId(
        'upload-progress',
      );
      await until(
        'the upload to be under way',
        async () => Number(await progress.getAttribute('aria-valuenow')) >= 5,
      );
      await shot('upload-panel');
      // Done once the server made the file (100 % is only every byte sent).
      const status = named(page, 'upload-item', `upload-${lang}-${theme}.bin`).getByTestId('upload-status');
      await throttle.off();
      await until('the upload to finish', async () => (await status.getAttribute('data-status')) === 'done');
      // The next combination's views show the same files.
      assert.equal((await api.post('/fs/delete', { path: `/upload-${lang}-${theme}.bin` })).status, 204);
      assert.equal((await api.post('/trash/empty', {})).status, 200);
      assert.equal((await api.upload('/old draft.txt', 'to be deleted\n')).status, 201);
      assert.equal((await api.post('/fs/delete', { path: '/old draft.txt' })).status, 204);

      // The file list on a phone.
      const phone = await newContext({ viewport: { width: 375, height: 812 } });
      await signIn(phone.page, server);
      await entry(phone.page, 'sunset.jpg').waitFor();
      await shot('files-phone', phone.page);
    },
  );
}
