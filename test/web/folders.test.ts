import assert from 'node:assert/strict';
import { webTest } from './support/browser.js';
import { until } from '../helpers/wait.js';
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

webTest(
  'keyboard: Delete asks, Enter confirms; keys typed into a field or a dialog are theirs',
  {},
  async ({ page }) => {
    const api = await adminApi(server);
    for (const folder of ['/Keys', '/Keys/Inner', '/Keys/Other']) {
      assert.equal((await api.post('/fs/mkdir', { path: folder })).status, 201);
    }
    await signIn(page, server);
    await openFolder(page, 'Keys');
    await entry(page, 'Inner', 'dir').waitFor();

    // Backspace in the filter edits the filter: the folder stays open.
    await byTestId(page, 'filter-input').fill('Inn');
    await byTestId(page, 'filter-input').press('Backspace');
    assert.equal(await byTestId(page, 'filter-input').inputValue(), 'In');
    assert.match(page.url(), /\/files\/Keys$/);
    await byTestId(page, 'filter-input').fill('');

    // A checkbox keeps focus once ticked; Delete still asks about the selection, and Enter on the
    // dialog's focused button confirms it rather than opening the folder.
    await entry(page, 'Inner', 'dir').locator('input[type="checkbox"]').check();
    await page.keyboard.press('Delete');
    await byTestId(page, 'confirm-dialog').waitFor();
    await page.keyboard.press('Enter');
    await byTestId(page, 'confirm-dialog').waitFor({ state: 'detached' });
    await until('Inner to go to the trash', async () => (await listNames(api, '/Keys')).join() === 'Other');
    assert.match(page.url(), /\/files\/Keys$/);

    // Shift+N opens the new-folder dialog; typing there does not reach the list's shortcuts.
    await page.keyboard.press('Shift+N');
    await byTestId(page, 'name-input').fill('Made by keys');
    await byTestId(page, 'name-input').press('Enter');
    await entry(page, 'Made by keys', 'dir').waitFor();
    assert.deepEqual(await listNames(api, '/Keys'), ['Made by keys', 'Other']);
  },
);
