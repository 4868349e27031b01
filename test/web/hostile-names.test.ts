import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { webTest } from './support/browser.js';
import { adminApi, byTestId, entry, named, signIn } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const server = await startWebServer({ basePath: '/drive' });

// Rendered as HTML, either would run alert(1): webTest fails on any dialog.
const FOLDER = '<img src=x onerror=alert(1)>';
const FILE = '<img src=x onerror=alert(1)>.txt';
const CONTENT = '<script>alert(2)</script><img src=x onerror=alert(3)> plain text\n';

/** The name is on screen as text, and no element came out of it. */
async function assertLiteral(page: Page, scope: Locator, name: string, where: string): Promise<void> {
  await scope.getByText(name, { exact: true }).first().waitFor();
  assert.ok((await scope.innerText()).includes(name), `${where}: the name is not shown literally`);
  assert.equal(await page.locator('img[src="x"]').count(), 0, `${where}: an <img src=x> was created`);
  assert.equal(await page.locator('script:not([src])').count(), 0, `${where}: an inline script was created`);
}

webTest(
  'a file and a folder named <img src=x onerror=alert(1)> render as text everywhere',
  { timeout: 120_000 },
  async ({ page, newContext, problems }) => {
    const api = await adminApi(server);
    assert.equal((await api.post('/fs/mkdir', { path: `/${FOLDER}` })).status, 201);
    assert.equal((await api.upload(`/${FOLDER}/${FILE}`, CONTENT)).status, 201);
    assert.equal((await api.upload(`/${FILE}`, CONTENT)).status, 201);

    await signIn(page, server);
    // The list.
    await entry(page, FILE, 'file').waitFor();
    await assertLiteral(page, entry(page, FILE), FILE, 'list row');
    await assertLiteral(page, entry(page, FOLDER), FOLDER, 'list row (folder)');

    // The grid.
    await byTestId(page, 'view-grid').click();
    await page.locator('[data-testid="entry"][data-kind="file"]').first().waitFor();
    await assertLiteral(page, entry(page, FILE), FILE, 'grid card');
    await assertLiteral(page, entry(page, FOLDER), FOLDER, 'grid card (folder)');
    await byTestId(page, 'view-list').click();

    // Breadcrumbs, with the folder's name as a crumb.
    await entry(page, FOLDER, 'dir').dblclick();
    await assertLiteral(page, byTestId(page, 'breadcrumbs'), FOLDER, 'breadcrumbs');
    await entry(page, FILE, 'file').waitFor();

    // The preview's title, and the content shown as text.
    await entry(page, FILE, 'file').dblclick();
    const preview = byTestId(page, 'preview-modal');
    await assertLiteral(page, preview, FILE, 'preview title');
    await byTestId(page, 'preview-text').getByText('plain text', { exact: false }).waitFor();
    assert.ok((await byTestId(page, 'preview-text').innerText()).includes(CONTENT.trim()));
    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });

    // The info drawer.
    await entry(page, FILE).locator('input[type="checkbox"]').check();
    await byTestId(page, 'action-info').click();
    const info = byTestId(page, 'info-drawer');
    await assertLiteral(page, info, FILE, 'info drawer');
    assert.equal(await byTestId(page, 'info-name').innerText(), FILE);
    await page.keyboard.press('Escape');
    await info.waitFor({ state: 'hidden' });

    // A share of it, as a visitor sees it (Escape cleared the selection too).
    await entry(page, FILE).locator('input[type="checkbox"]').check();
    await byTestId(page, 'action-share').click();
    await byTestId(page, 'share-create').click();
    const link = await byTestId(page, 'share-link').inputValue();
    await page.keyboard.press('Escape');
    const visitor = (await newContext()).page;
    await visitor.goto(link);
    await byTestId(visitor, 'share-download').waitFor();
    await assertLiteral(visitor, byTestId(visitor, 'share-page'), FILE, 'share page');
    assert.equal(await byTestId(visitor, 'share-name').innerText(), FILE);
    assert.ok((await visitor.title()).includes(FILE), `the tab title: ${await visitor.title()}`);

    // The trash, with the file and the folder in it.
    await page.goto(`${server.url}/files`);
    await entry(page, FOLDER).locator('input[type="checkbox"]').check();
    await entry(page, FILE).locator('input[type="checkbox"]').check();
    await byTestId(page, 'action-delete').click();
    await byTestId(page, 'confirm-submit').click();
    await entry(page, FOLDER).waitFor({ state: 'detached' });
    await entry(page, FILE).waitFor({ state: 'detached' });
    await byTestId(page, 'nav-trash').click();
    await assertLiteral(page, named(page, 'trash-entry', FOLDER), FOLDER, 'trash (folder)');
    await assertLiteral(page, named(page, 'trash-entry', FILE), FILE, 'trash (file)');

    assert.deepEqual(problems.dialogs, []);
  },
);
