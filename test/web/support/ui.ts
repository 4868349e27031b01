import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { ApiClient } from '../../helpers/client.js';
import { ADMIN_PASSWORD, ADMIN_USER, type WebServer } from './web-server.js';

/** A CSS attribute-value string: any name survives quoting. */
export function cssString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ')}"`;
}

export function byTestId(page: Page | Locator, id: string): Locator {
  return page.locator(`[data-testid=${cssString(id)}]`);
}

/** A row or card of the file browser (or a public share's folder). */
export function entry(page: Page | Locator, name: string, kind?: 'dir' | 'file'): Locator {
  const kindPart = kind ? `[data-kind=${cssString(kind)}]` : '';
  return page.locator(`[data-testid="entry"][data-name=${cssString(name)}]${kindPart}`);
}

/** An item with a data-name of its own (trash entries, share rows, upload items, picker rows). */
export function named(page: Page | Locator, testId: string, name: string): Locator {
  return page.locator(`[data-testid=${cssString(testId)}][data-name=${cssString(name)}]`);
}

/** A route of the UI under BASE_PATH: '/files', '/trash', '/s/<token>'. */
export function routeUrl(server: WebServer, route: string): string {
  return `${server.url}${route}`;
}

/** Fills the sign-in form and submits it (does not wait for the outcome). */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  const form = byTestId(page, 'login-form');
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="password"]').fill(password);
  await byTestId(page, 'login-submit').click();
}

/** Signs in through the form and waits for the file browser. */
export async function signIn(
  page: Page,
  server: WebServer,
  username = ADMIN_USER,
  password = ADMIN_PASSWORD,
): Promise<void> {
  await page.goto(routeUrl(server, '/login'));
  await submitLogin(page, username, password);
  await byTestId(page, 'file-browser').waitFor();
}

/** An API session of its own (not the browser's), to check what the UI did. */
export function adminApi(server: WebServer): Promise<ApiClient> {
  return ApiClient.login(server.url, ADMIN_USER, ADMIN_PASSWORD);
}

export interface ListedEntry {
  name: string;
  kind: 'dir' | 'file';
  path: string;
  size: number;
}

/** Every name in a folder, through the API (a page of 1000 is enough for these tests). */
export async function listNames(api: ApiClient, path: string): Promise<string[]> {
  const res = await api.get<{ entries: ListedEntry[] }>(
    `/fs/list?path=${encodeURIComponent(path)}&limit=1000`,
  );
  assert.equal(res.status, 200, `listing ${path}: ${JSON.stringify(res.body)}`);
  return res.body.entries.map((e) => e.name);
}

/**
 * Fills the open name dialog (new folder, rename) and submits it; waits until it has closed, so that
 * the next dialog's input is the only one on the page.
 */
export async function submitName(page: Page, name: string): Promise<void> {
  const input = byTestId(page, 'name-input');
  await input.fill(name);
  await byTestId(page, 'name-submit').click();
  await input.waitFor({ state: 'detached' });
}

/** Opens a folder of the current listing by double-clicking it, and waits for its breadcrumb. */
export async function openFolder(page: Page, name: string): Promise<void> {
  await entry(page, name, 'dir').dblclick();
  await byTestId(page, 'breadcrumbs').getByText(name, { exact: true }).waitFor();
}
