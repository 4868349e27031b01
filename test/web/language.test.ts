import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { webTest } from './support/browser.js';
import { until } from '../helpers/wait.js';
import { byTestId, signIn } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const server = await startWebServer();

const CJK = /[\u4e00-\u9fff]/;

/** The visible words of the shell that come from the translations. */
async function shellTexts(page: Page): Promise<string[]> {
  const texts = [];
  for (const id of ['nav-files', 'nav-shares', 'nav-trash', 'nav-settings', 'new-folder', 'upload-files']) {
    texts.push((await byTestId(page, id).innerText()).trim());
  }
  return texts;
}

async function choose(page: Page, language: 'en' | 'zh-CN'): Promise<void> {
  await byTestId(page, 'language-menu').click();
  await byTestId(page, `language-${language}`).click();
  await until(
    `<html lang="${language}">`,
    async () => (await page.getAttribute('html', 'lang')) === language,
  );
}

webTest('the language switches to 中文 and back, and the choice survives a reload', {}, async ({ page }) => {
  await signIn(page, server);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  const english = await shellTexts(page);
  assert.ok(
    english.every((text) => text.length > 0 && !CJK.test(text)),
    english.join(' | '),
  );

  await choose(page, 'zh-CN');
  const chinese = await shellTexts(page);
  for (const [i, text] of chinese.entries()) {
    assert.match(text, CJK, `"${english[i]}" is not translated: ${text}`);
  }

  await page.reload();
  await byTestId(page, 'file-browser').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.deepEqual(await shellTexts(page), chinese);

  await choose(page, 'en');
  assert.deepEqual(await shellTexts(page), english);
  await page.reload();
  await byTestId(page, 'file-browser').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.deepEqual(await shellTexts(page), english);
});

webTest(
  'a Chinese browser starts in 中文 before anything is chosen',
  { locale: 'zh-CN' },
  async ({ page }) => {
    await page.goto(`${server.url}/login`);
    await byTestId(page, 'login-form').waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await byTestId(page, 'login-submit').innerText(), CJK);
  },
);
