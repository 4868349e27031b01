import assert from 'node:assert/strict';
import { webTest } from './support/browser.js';
import {
  adminApi,
  byTestId,
  entry,
  listNames,
  named,
  openFolder,
  routeUrl,
  signIn,
  submitName,
  until,
} from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const server = await startWebServer();

interface TrashItem {
  id: number;
  name: string;
  originalPath: string;
}

webTest(
  'a folder: create, rename, move into another, delete, restore from the trash',
  {},
  async ({ page }) => {
    const api = await adminApi(server);
    await signIn(page, server);

    // Create two folders with the toolbar's "new folder".
    for (const name of ['Alpha', 'Target']) {
      await byTestId(page, 'new-folder').click();
      await submitName(page, name);
      await entry(page, name, 'dir').waitFor();
    }
    assert.deepEqual(await listNames(api, '/'), ['Alpha', 'Target']);

    // Rename through the selection toolbar (the row's checkbox selects it).
    await entry(page, 'Alpha').locator('input[type="checkbox"]').check();
    assert.equal(await entry(page, 'Alpha').getAttribute('aria-selected'), 'true');
    await byTestId(page, 'action-rename').click();
    assert.equal(await byTestId(page, 'name-input').inputValue(), 'Alpha');
    await submitName(page, 'Beta');
    await entry(page, 'Beta', 'dir').waitFor();
    await entry(page, 'Alpha').waitFor({ state: 'detached' });
    assert.deepEqual(await listNames(api, '/'), ['Beta', 'Target']);

    // Move through the row's own menu and the folder picker.
    await entry(page, 'Beta').getByTestId('entry-menu').click();
    await byTestId(page, 'menu-move').click();
    await named(page, 'picker-entry', 'Target').click();
    await byTestId(page, 'picker-submit').click();
    await entry(page, 'Beta').waitFor({ state: 'detached' });
    assert.deepEqual(await listNames(api, '/'), ['Target']);
    assert.deepEqual(await listNames(api, '/Target'), ['Beta']);

    await openFolder(page, 'Target');
    await entry(page, 'Beta', 'dir').waitFor();

    // Delete (to the trash), confirming.
    await entry(page, 'Beta').locator('input[type="checkbox"]').check();
    await byTestId(page, 'action-delete').click();
    await byTestId(page, 'confirm-submit').click();
    await entry(page, 'Beta').waitFor({ state: 'detached' });
    assert.deepEqual(await listNames(api, '/Target'), []);
    const trash = await api.get<{ items: TrashItem[] }>('/trash');
    assert.equal(trash.status, 200);
    assert.deepEqual(
      trash.body.items.map((i) => [i.name, i.originalPath]),
      [['Beta', '/Target/Beta']],
    );

    // Restore from the trash page: it leaves the trash and is back where it was.
    await byTestId(page, 'nav-trash').click();
    const trashed = named(page, 'trash-entry', 'Beta');
    await trashed.waitFor();
    await trashed.getByTestId('trash-restore').click();
    await trashed.waitFor({ state: 'detached' });
    await until(
      'the trash to be empty',
      async () => (await api.get<{ items: TrashItem[] }>('/trash')).body.items.length === 0,
    );
    assert.deepEqual(await listNames(api, '/Target'), ['Beta']);

    await page.goto(routeUrl(server, '/files/Target'));
    await entry(page, 'Beta', 'dir').waitFor();
  },
);
