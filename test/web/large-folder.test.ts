import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/temp.js';
import { webTest } from './support/browser.js';
import { RequestLog } from './support/network.js';
import { seedFolder } from './support/seed.js';
import { until } from '../helpers/wait.js';
import { byTestId, signIn } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const FOLDERS = 99_000;
const FILES = 1_000;
const TOTAL = FOLDERS + FILES;

// Mixed case: the listing sorts names without regard to case, so the order is the number's.
const nameOf = (i: number) => `${i % 3 === 0 ? 'Item' : 'item'}-${String(i).padStart(6, '0')}`;

const dataDir = tempDir('hubdrive-web-big');
await seedFolder({ dataDir, folder: '/big', folders: FOLDERS, files: FILES, nameOf });
const server = await startWebServer({ dataDir });

interface Row {
  name: string;
  top: number;
  bottom: number;
}

// The few DOM members read in the page (the project's TypeScript has no DOM library).
interface RectLike {
  top: number;
  bottom: number;
}
interface ElementLike {
  scrollTop: number;
  getBoundingClientRect(): RectLike;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<ElementLike>;
}

/** The rows in the DOM, and which of them are inside the scroll container's visible area (one snapshot). */
async function rows(page: Page): Promise<{ all: Row[]; visible: Row[]; scrollTop: number }> {
  const snapshot = await byTestId(page, 'file-scroll').evaluate((el) => {
    const scroller = el as unknown as ElementLike;
    const box = scroller.getBoundingClientRect();
    const found = Array.from(scroller.querySelectorAll('[data-testid="entry"]')).map((row) => {
      const b = row.getBoundingClientRect();
      return { name: row.getAttribute('data-name') ?? '', top: b.top, bottom: b.bottom };
    });
    return { box: { top: box.top, bottom: box.bottom }, found, scrollTop: scroller.scrollTop };
  });
  const all = snapshot.found.sort((a, b) => a.top - b.top);
  const { box } = snapshot;
  const visible = all.filter((r) => r.top >= box.top - 1 && r.bottom <= box.bottom + 1);
  return { all, visible, scrollTop: snapshot.scrollTop };
}

/** The visible rows are consecutive names of the folder in sort order; returns the first's index. */
function assertInOrder(visible: Row[]): number {
  assert.ok(visible.length >= 5, `only ${visible.length} rows are visible`);
  const first = Number(visible[0]!.name.slice(-6));
  assert.deepEqual(
    visible.map((r) => r.name),
    visible.map((_, k) => nameOf(first + k)),
    'the visible rows are not the folder in name order',
  );
  return first;
}

webTest(
  `a folder of ${TOTAL.toLocaleString('en')} entries opens and scrolls, reading only a few pages`,
  { timeout: 120_000 },
  async ({ page }, t) => {
    const lists = new RequestLog(page, (url) => url.includes('/api/fs/list') && url.includes('path=%2Fbig'));
    await signIn(page, server);
    await page.goto(`${server.url}/files/big`);
    await page.locator(`[data-testid="entry"][data-name="${nameOf(0)}"]`).waitFor();

    // The count is the server's, not what was loaded.
    assert.equal((await byTestId(page, 'entry-count').innerText()).replace(/\D/g, ''), String(TOTAL));
    const top = (await rows(page)).visible;
    assert.equal(assertInOrder(top), 0);
    // A screenful: what the first screen shows (less one for a row cut at the edge).
    const perScreen = top.length - 1;

    // Screens down, three at a time, with the mouse wheel over the list: past a few pages.
    const scroller = byTestId(page, 'file-scroll');
    const box = (await scroller.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    let previous = 0;
    for (let screen = 3; screen <= 24; screen += 3) {
      await page.mouse.wheel(0, box.height * 3);
      // Settled: the rows on screen are loaded (no placeholders) and in order, further down than before.
      await until(`screen ${screen} to show loaded rows`, async () => {
        const { visible, scrollTop } = await rows(page);
        if (scrollTop <= previous || visible.length < perScreen) return false;
        const names = visible.map((r) => r.name);
        return names.every((n) => n !== '') && Number(names[0]!.slice(-6)) > 0;
      });
      const { all, visible, scrollTop } = await rows(page);
      const first = assertInOrder(visible);
      // Where the list is scrolled to is where the names are: row height × index.
      const rowHeight = visible[1]!.top - visible[0]!.top;
      assert.ok(Math.abs(first - scrollTop / rowHeight) <= 2, `row ${first} at scrollTop ${scrollTop}`);
      assert.ok(all.length < 200, `${all.length} rows in the DOM: the list is not virtualised`);
      previous = scrollTop;
    }

    // Only a few pages were read: far below the folder's size.
    const limits = lists.seen.map((r) => Number(new URL(r.url).searchParams.get('limit') ?? 'NaN'));
    const asked = limits.reduce((sum, n) => sum + n, 0);
    t.diagnostic(`${lists.seen.length} list requests, ${asked} entries asked for, of ${TOTAL}`);
    assert.ok(lists.seen.length >= 2, `expected the list to page in, saw ${lists.seen.length} request(s)`);
    assert.ok(lists.seen.length <= 10, `${lists.seen.length} list requests for a few screens`);
    assert.ok(asked <= TOTAL / 20, `${asked} entries asked for (${limits.join(', ')})`);
    assert.ok(
      lists.seen.slice(1).every((r) => new URL(r.url).searchParams.has('cursor')),
      'later pages go on from a cursor',
    );
  },
);
