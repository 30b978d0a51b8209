// The whole path once, as a user takes it: open the site from a sub-path, drop a real dump,
// paste a debug=1 text, drop a file that is no profile; nothing but the site's own files loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, cliReport, dropFiles, pasteText, screenshot, fixtures, subPath, onSite } from '../lib/harness.js';

let server, page;
const seen = [];
useSite(async (site) => {
  server = site.server;
  page = await openPage(site.browser, server, { seen });
});


test('a dropped debug=2 dump shows the count the CLI reports', async () => {
  const file = join(fixtures, 'go1.27', 'service.s3.goroutine.debug2.txt');
  const expected = cliReport(file);
  await dropFiles(page, [file]);
  const total = page.locator('[data-testid="total-goroutines"]');
  await total.filter({ hasText: expected.goroutines.toLocaleString('en-US') }).waitFor();
  assert.equal(await total.textContent(), expected.goroutines.toLocaleString('en-US'));
  const states = await page.locator('[data-testid="state-row"]').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.state, Number(r.dataset.count)])));
  assert.deepEqual(states, expected.states);
  await screenshot(page, 'skeleton-debug2.png');
});

test('a pasted debug=1 text is read', async () => {
  const file = join(fixtures, 'go1.27', 'service.s1.goroutine.debug1.txt');
  const expected = cliReport(file);
  const text = (await readFile(file)).toString();
  await pasteText(page, text);
  await page.locator('.snapshot.active', { hasText: 'pasted text' }).waitFor();
  await page.locator('[data-testid="total-goroutines"]', { hasText: expected.goroutines.toLocaleString('en-US') }).waitFor();
  assert.equal(await page.locator('[data-testid="format"]').textContent(), 'goroutine-debug1');
});

test('a file that is no profile shows an error and keeps the loaded snapshots', async () => {
  await dropFiles(page, [join(fixtures, 'bad', 'pprof-index.html')]);
  const error = page.locator('[data-testid="error"]');
  await error.waitFor();
  assert.match(await error.textContent(), /HTML, not a profile/);
  assert.equal(await page.locator('.snapshot:not(.pending)').count(), 2);
  await screenshot(page, 'skeleton-error.png');
});

test('every request went to the site itself', () => {
  assert.ok(seen.length > 0);
  for (const url of seen) {
    assert.ok(onSite(server, url), `request outside the site: ${url}`);
  }
  for (const path of server.requests) {
    assert.ok(path.startsWith(subPath), `request outside the sub-path: ${path}`);
  }
});
