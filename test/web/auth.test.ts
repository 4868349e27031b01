import assert from 'node:assert/strict';
import { ApiClient } from '../helpers/client.js';
import { webTest } from './support/browser.js';
import { byTestId, routeUrl, submitLogin } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

// Under a BASE_PATH, as deployments behind a path run it: the UI's router, assets and API calls
// must all stay below it.
const server = await startWebServer({ basePath: '/drive', sysToken: false });

webTest(
  'first run: setup creates the admin; sign out; a wrong password is refused; sign in',
  {},
  async ({ page }) => {
    await page.goto(routeUrl(server, '/'));
    const setup = byTestId(page, 'setup-form');
    await setup.waitFor();
    assert.match(new URL(page.url()).pathname, /^\/drive\/setup$/);

    await setup.locator('input[name="username"]').fill('boss');
    await setup.locator('input[name="password"]').fill('first-password-1');
    await setup.locator('input[name="confirm"]').fill('first-password-1');
    await byTestId(page, 'setup-submit').click();
    await byTestId(page, 'file-browser').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/drive\/files/);

    // The server agrees: setup is done, and the admin exists with that password.
    const setupState = (await (await fetch(`${server.url}/api/setup`)).json()) as { needed: boolean };
    assert.equal(setupState.needed, false);
    const api = await ApiClient.login(server.url, 'boss', 'first-password-1');
    const me = await api.get<{ user: { username: string; role: string } }>('/me');
    assert.deepEqual([me.body.user.username, me.body.user.role], ['boss', 'admin']);

    await byTestId(page, 'account-menu').click();
    await byTestId(page, 'logout').click();
    await byTestId(page, 'login-form').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/drive\/login$/);
    // Signed out for real: the session cookie no longer opens the API.
    const session = await page.evaluate(async () => (await fetch('api/auth/session')).status);
    assert.equal(session, 401);

    await submitLogin(page, 'boss', 'wrong-password');
    const error = byTestId(page, 'login-error');
    await error.waitFor();
    assert.ok((await error.innerText()).trim().length > 0, 'the error says something');
    assert.equal(await byTestId(page, 'file-browser').count(), 0);

    await submitLogin(page, 'boss', 'first-password-1');
    await byTestId(page, 'file-browser').waitFor();
    assert.equal(await byTestId(page, 'login-error').count(), 0);

    // A reload keeps the session; the setup page is gone for good.
    await page.reload();
    await byTestId(page, 'file-browser').waitFor();
    await page.goto(routeUrl(server, '/setup'));
    await byTestId(page, 'file-browser').waitFor();
  },
);
