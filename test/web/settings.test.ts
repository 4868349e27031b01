import assert from 'node:assert/strict';
import { ApiClient } from '../helpers/client.js';
import { webTest } from './support/browser.js';
import { adminApi, byTestId, routeUrl, signIn, submitLogin } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const server = await startWebServer();

webTest(
  'settings: a password change asks for the new one twice, then signs in with it',
  {},
  async ({ page }) => {
    const admin = await adminApi(server);
    const created = await admin.post('/admin/users', { username: 'erin', password: 'erin-old-password' });
    assert.equal(created.status, 201);
    await signIn(page, server, 'erin', 'erin-old-password');
    await page.goto(routeUrl(server, '/settings'));

    await byTestId(page, 'password-current').fill('erin-old-password');
    await byTestId(page, 'password-new').fill('erin-new-password');
    await byTestId(page, 'password-confirm').fill('erin-new-passw0rd');
    await byTestId(page, 'password-submit').click();
    await page.getByText('The two new passwords differ.').waitFor();
    // Refused in the page: the old password still works.
    await ApiClient.login(server.url, 'erin', 'erin-old-password');

    await byTestId(page, 'password-confirm').fill('erin-new-password');
    await byTestId(page, 'password-submit').click();
    await page.getByText('Your password was changed.').first().waitFor();
    assert.equal(await byTestId(page, 'password-new').inputValue(), '');
    await ApiClient.login(server.url, 'erin', 'erin-new-password');

    // This session goes on with the new CSRF token: a change after the password change works.
    await byTestId(page, 'app-password-label').fill('laptop');
    await byTestId(page, 'app-password-create').click();
    await byTestId(page, 'app-password-value').waitFor();
    assert.ok(((await byTestId(page, 'app-password-value').textContent()) ?? '').length >= 16);

    await byTestId(page, 'account-menu').click();
    await byTestId(page, 'logout').click();
    await byTestId(page, 'login-form').waitFor();
    await submitLogin(page, 'erin', 'erin-new-password');
    await byTestId(page, 'file-browser').waitFor();
  },
);
