import assert from 'node:assert/strict';
import sharp from 'sharp';
import { webTest } from './support/browser.js';
import { RequestLog } from './support/network.js';
import { until } from '../helpers/wait.js';
import { adminApi, byTestId, entry, signIn } from './support/ui.js';
import { encodeNoiseWebm } from './support/video.js';
import { startWebServer } from './support/web-server.js';

const server = await startWebServer();

// The few media-element members the test reads (the project's TypeScript has no DOM library).
interface MediaLike {
  readyState: number;
  duration: number;
  currentTime: number;
  paused: boolean;
  error: { code: number; message: string } | null;
  play(): Promise<void>;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}

/** A real PNG: a colour gradient with noise, made by sharp (libvips). */
async function makePng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      raw[at] = Math.round((255 * x) / width);
      raw[at + 1] = Math.round((255 * y) / height);
      raw[at + 2] = (x * 7 + y * 13) & 0xff;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

webTest('an image preview shows the picture', {}, async ({ page }) => {
  const api = await adminApi(server);
  assert.equal((await api.upload('/gradient.png', await makePng(640, 400))).status, 201);
  await signIn(page, server);
  await entry(page, 'gradient.png', 'file').dblclick();
  await byTestId(page, 'preview-modal').waitFor();
  const image = byTestId(page, 'preview-image');
  await image.waitFor();
  await until('the image to load', () =>
    image.evaluate((el) => (el as ImageLike).complete && (el as ImageLike).naturalWidth > 0),
  );
  const size = await image.evaluate((el) => [
    (el as ImageLike).naturalWidth,
    (el as ImageLike).naturalHeight,
  ]);
  assert.deepEqual(size, [640, 400]);
  assert.ok(await image.isVisible());
});

webTest(
  'a video plays, and a seek reads from the middle of the file with a Range request',
  {},
  async ({ page }) => {
    const api = await adminApi(server);
    await signIn(page, server);
    // 40 s of 2 Mbit/s noise, about 10 MB: far more than the player reads ahead of where it plays.
    const seconds = 40;
    const webm = await encodeNoiseWebm(page, {
      width: 320,
      height: 240,
      fps: 10,
      seconds,
      bitrate: 2_000_000,
    });
    assert.ok(webm.length > 6 * 1024 * 1024, `the video is only ${webm.length} bytes`);
    assert.equal((await api.upload('/clip.webm', webm)).status, 201);

    const media = new RequestLog(page, (url) => url.includes('/api/fs/content') && url.includes('clip.webm'));
    await page.reload();
    await entry(page, 'clip.webm', 'file').dblclick();
    const video = byTestId(page, 'preview-video');
    await video.waitFor();
    await until('the video metadata', () => video.evaluate((el) => (el as MediaLike).readyState >= 1));
    const duration = await video.evaluate((el) => (el as MediaLike).duration);
    assert.ok(Math.abs(duration - seconds) < 1, `duration ${duration}`);

    await video.evaluate((el) => (el as MediaLike).play());
    await until('playback to start', () => video.evaluate((el) => (el as MediaLike).currentTime > 0.3));

    media.clear();
    const target = seconds * 0.8;
    await video.evaluate(
      (el, to) =>
        new Promise<void>((resolve) => {
          const m = el as MediaLike;
          m.addEventListener('seeked', () => resolve(), { once: true });
          m.currentTime = to;
        }),
      target,
    );
    await until('playback to go on after the seek', () =>
      video.evaluate(
        (el, to) => (el as MediaLike).currentTime > to + 0.3 && !(el as MediaLike).paused,
        target,
      ),
    );
    assert.equal(await video.evaluate((el) => (el as MediaLike).error), null);

    const starts = media.seen
      .map((r) => /^bytes=(\d+)-/.exec(r.headers.range ?? '')?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number);
    assert.ok(
      starts.some((start) => start > webm.length / 2),
      `after seeking to ${target} s, expected a Range from past the middle of ${webm.length} bytes; saw ${JSON.stringify(media.seen.map((r) => r.headers.range ?? null))}`,
    );
  },
);

webTest('a markdown preview keeps no styles, forms or scripts of the document', {}, async ({ page }) => {
  const api = await adminApi(server);
  const hostile = [
    '# Notes',
    '',
    'Plain text stays.',
    '',
    '<style>body::after { content: "STYLED"; }</style>',
    '<div style="position:fixed;inset:0;background:red" class="mantine-Modal-content" id="root">cover</div>',
    '<form action="/api/auth/login"><input type="password" name="password"><button>Sign in</button></form>',
    '<img src=x onerror="document.title=1">',
  ].join('\n');
  assert.equal((await api.upload('/hostile.md', Buffer.from(hostile))).status, 201);
  await signIn(page, server);
  await entry(page, 'hostile.md', 'file').dblclick();
  const preview = byTestId(page, 'preview-markdown');
  await preview.waitFor();
  await until('the markdown to render', async () =>
    (await preview.innerText()).includes('Plain text stays.'),
  );
  const left = await preview.evaluate((el) => ({
    styles: el.querySelectorAll('style').length,
    styled: el.querySelectorAll('[style], [class], [id]').length,
    forms: el.querySelectorAll('form, input, button, textarea, select').length,
    handlers: el.querySelectorAll('[onerror]').length,
  }));
  assert.deepEqual(left, { styles: 0, styled: 0, forms: 0, handlers: 0 });
  assert.notEqual(await page.title(), '1');
});
