// Shared by the end-to-end tests: a static server for dist/ under a sub-path (so relative URLs
// are tested), Debian's Chromium driven by playwright-core, and the CLI for expected numbers.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = join(root, 'dist');
export const fixtures = join(root, 'tests', 'fixtures');
export const artifacts = join(root, 'e2e', 'artifacts');
export const subPath = '/some/sub/path/';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.txt': 'text/plain', '.gz': 'application/gzip',
};

/**
 * Whether the page's request `url` stayed on the site: a page of the site, or a `blob:` URL the
 * page made itself (its workers), which never leaves the browser.
 */
export function onSite(server, url) {
  return url.startsWith(server.url) || url.startsWith(`blob:${server.origin}/`);
}

/** Serves dist/ at http://127.0.0.1:PORT/some/sub/path/ and records every request path. */
export async function serve() {
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url);
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(subPath)) {
      res.writeHead(404).end();
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(subPath.length)) || 'index.html';
    const file = normalize(join(dist, rel));
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, url: origin + subPath, requests, close: () => new Promise((ok) => server.close(ok)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const bin = process.env.PARKVIEW_BIN || join(root, 'target', 'release', 'parkview');

/** What the CLI says about a file: the numbers the page must show. */
export function cliReport(file) {
  return JSON.parse(execFileSync(bin, ['report', '--json', file], { maxBuffer: 1 << 28 }).toString());
}

/** What the CLI's diff says about two files. */
export function cliDiff(base, next) {
  return JSON.parse(execFileSync(bin, ['diff', '--json', base, next], { maxBuffer: 1 << 28 }).toString());
}

/** A fresh page on the served site, ready for input, its requests recorded in `seen`. */
export async function openPage(browser, server, { colorScheme = 'light', seen = [], viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const page = await context.newPage();
  page.on('request', (r) => seen.push(r.url()));
  await page.goto(server.url);
  await page.locator('[data-testid="file-input"]').waitFor({ state: 'attached' });
  return page;
}

/**
 * Drops files on the page the way a user's drag and drop does. Each is a path, or
 * `{ path, lastModified }` (milliseconds since the epoch) for a file with that modification time.
 */
export async function dropFiles(page, files) {
  const payload = [];
  for (const f of files) {
    const { path, lastModified } = typeof f === 'string' ? { path: f } : f;
    payload.push({ name: path.split('/').pop(), data: (await readFile(path)).toString('base64'), lastModified });
  }
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const { name, data, lastModified } of items) {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], name, lastModified === undefined ? {} : { lastModified }));
    }
    const target = document.querySelector('.page');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/** Pastes text into the page the way a user does: the clipboard, a click, Control+V. */
export async function pasteText(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('Control+V');
}

export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, name), fullPage: true });
}

/**
 * Serves the site and starts Chromium before a test file's tests, and stops both after them.
 * `ready(site)` runs once both are up (to keep them in the file's own variables).
 */
export function useSite(ready) {
  const site = {};
  before(async () => {
    site.server = await serve();
    site.browser = await launch();
    await ready?.(site);
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
