import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { defer } from '../../helpers/cleanup.js';
import { REPO_ROOT } from './web-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output', 'screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

// tsx compiles with keepNames, so functions handed to page.evaluate call esbuild's __name helper,
// which the page does not have: give every document a no-op one.
const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((target) => target);';

let shared: Promise<Browser> | null = null;

/** One headless chromium per test file, closed when the file ends. */
export function browser(): Promise<Browser> {
  shared ??= chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a CI container has no user namespaces for chromium's sandbox; media plays unmuted
      // without a user gesture so that video tests can call play().
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu'],
    })
    .then((launched) => {
      defer(() => launched.close());
      return launched;
    });
  return shared;
}

export interface ContextOptions {
  locale?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Downloads are kept for page.waitForEvent('download'). */
  acceptDownloads?: boolean;
}

/** What went wrong in the pages of a test: uncaught errors fail it; console errors are reported. */
export interface PageProblems {
  pageErrors: string[];
  consoleErrors: string[];
  /** alert/confirm/prompt dialogs (an injected script would open one): each fails the test. */
  dialogs: string[];
}

export interface WebSession {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
  /** Another context, without the cookies or storage of this one (an anonymous visitor). */
  newContext(options?: ContextOptions): Promise<{ context: BrowserContext; page: Page }>;
  /** Saves a full-page-less (viewport) screenshot as test-output/screenshots/<name>.png. */
  screenshot(name: string, page?: Page): Promise<string>;
}

function watch(page: Page, problems: PageProblems): void {
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.pageErrors.push(`${page.url()}: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location();
      problems.consoleErrors.push(`${where.url}:${where.lineNumber}: ${message.text()}`);
    }
  });
  page.on('dialog', (dialog) => {
    // A beforeunload prompt (leaving during an upload) is the UI's business; anything else is not.
    if (dialog.type() === 'beforeunload') {
      void dialog.accept();
      return;
    }
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
}

async function openContext(
  options: ContextOptions,
  problems: PageProblems,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await (
    await browser()
  ).newContext({
    locale: options.locale ?? 'en-US',
    timezoneId: 'UTC',
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1280, height: 800 },
    acceptDownloads: options.acceptDownloads ?? true,
  });
  await context.addInitScript(NAME_SHIM);
  context.on('page', (page) => watch(page, problems));
  const page = await context.newPage();
  return { context, page };
}

// Pictures and fonts still loading would make a screenshot show a view half drawn. (A function, not a
// string: the UI's CSP forbids eval, which a string predicate needs.)
interface DocumentLike {
  fonts: { status: string };
  images: Iterable<{ complete: boolean }>;
}
const settled = () => {
  const doc = (globalThis as unknown as { document: DocumentLike }).document;
  return doc.fonts.status === 'loaded' && Array.from(doc.images).every((image) => image.complete);
};

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.waitForFunction(settled, undefined, { timeout: 5_000 }).catch(() => undefined);
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

export interface WebTestOptions extends ContextOptions {
  timeout?: number;
}

/**
 * A node:test test with a fresh browser context: it fails on any uncaught page error or dialog, and
 * leaves a screenshot of every open page in test-output/screenshots/FAILED-<test>.png when it fails.
 */
export function webTest(
  name: string,
  options: WebTestOptions,
  fn: (session: WebSession, t: TestContext) => Promise<void>,
): void {
  test(name, { timeout: options.timeout ?? 120_000 }, async (t) => {
    // A screenshot of an earlier failure of this test would mislead once it passes.
    for (const file of readdirSync(SCREENSHOT_DIR, { withFileTypes: true })) {
      if (file.name.startsWith(`FAILED-${slug(name)}`)) rmSync(path.join(SCREENSHOT_DIR, file.name));
    }
    const problems: PageProblems = { pageErrors: [], consoleErrors: [], dialogs: [] };
    const contexts: BrowserContext[] = [];
    const open = async (more: ContextOptions = {}) => {
      const opened = await openContext({ ...options, ...more }, problems);
      contexts.push(opened.context);
      return opened;
    };
    const first = await open();
    const session: WebSession = {
      context: first.context,
      page: first.page,
      problems,
      newContext: open,
      screenshot: (shot, page) => saveScreenshot(page ?? first.page, shot),
    };
    try {
      await fn(session, t);
    } catch (error) {
      const pages = contexts.flatMap((c) => c.pages());
      await Promise.all(
        pages.map((page, i) =>
          saveScreenshot(page, `FAILED-${slug(name)}${i ? `-${i}` : ''}`).catch(() => undefined),
        ),
      );
      throw error;
    } finally {
      for (const line of problems.consoleErrors) t.diagnostic(`console error: ${line}`);
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    }
    if (problems.pageErrors.length > 0) {
      throw new Error(`uncaught errors in the page:\n${problems.pageErrors.join('\n')}`);
    }
    if (problems.dialogs.length > 0) throw new Error(`unexpected dialogs:\n${problems.dialogs.join('\n')}`);
  });
}
