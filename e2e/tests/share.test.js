// Sharing: a link opened in a fresh browser restores the same totals, rows and selection; a
// share file does the same; redaction shows in what the receiver sees; once loaded the page can
// send nothing anywhere; and the largest link Chromium opens, measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSite, dropFiles, openPage, fixtures, root, screenshot, onSite } from '../lib/harness.js';

let server, browser;
const seen = [];
useSite((site) => ({ server, browser } = site));


async function shareLink(page) {
  await page.locator('[data-testid="share-button"]').click();
  const url = page.locator('[data-testid="share-url"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="share-url"]')?.value.includes('#v1.'));
  return url.inputValue();
}

async function groupsShown(page) {
  return {
    count: await page.locator('[data-testid="group-count"]').textContent(),
    sum: await page.locator('[data-testid="group-sum"]').textContent(),
    rows: await page.locator('[data-testid="group-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.count)),
    selected: await page.locator('[data-testid="group-row"][aria-selected="true"]').count(),
    search: await page.locator('[data-testid="search"]').inputValue(),
  };
}

test('a link opened in a fresh browser shows the same view', async () => {
  const page = await openPage(browser, server, { seen });
  await dropFiles(page, [join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt')]);
  await page.locator('.snapshot.active', { hasText: 'service.s1' }).waitFor();
  await dropFiles(page, [join(fixtures, 'go1.27', 'service.s3.goroutine.debug1.txt')]);
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.locator('[data-testid="view-groups"]').click();
  await page.locator('[data-testid="search"]').fill('inventory');
  await page.locator('[data-testid="group-row"]').nth(1).click();
  await page.locator('[data-testid="group-detail"]').waitFor();
  const before = await groupsShown(page);
  const link = await shareLink(page);
  assert.ok(link.startsWith(server.url + '#v1.'), link.slice(0, 80));
  await screenshot(page, 'share-dialog.png');

  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const fresh = await other.newPage();
  fresh.on('request', (r) => seen.push(r.url()));
  await fresh.goto(link);
  await fresh.locator('[data-testid="group-detail"]').waitFor();
  assert.deepEqual(await groupsShown(fresh), before);
  assert.equal(await fresh.locator('[data-testid="snapshot"]').count(), 2);
  await fresh.locator('[data-testid="view-diff"]').click();
  await fresh.locator('[data-testid="diff-row"]').first().waitFor();
  const diffFresh = await fresh.locator('[data-testid="diff-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.delta));
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  assert.deepEqual(await page.locator('[data-testid="diff-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.delta)), diffFresh);
  // Reload and back/forward keep working from the address.
  await fresh.reload();
  await fresh.locator('[data-testid="diff-row"]').first().waitFor();
  await fresh.goBack();
  await fresh.locator('[data-testid="group-detail"]').waitFor();
  await other.close();
  await page.context().close();
});

test('redacted links show pseudonyms and base names; a share file opens like a link', async () => {
  const page = await openPage(browser, server, { seen });
  await dropFiles(page, [join(fixtures, 'go1.27', 'service.s3.goroutine.debug2.txt')]);
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.locator('[data-testid="share-button"]').click();
  for (const box of await page.locator('[data-testid="redact"]').all()) await box.check();
  await page.waitForFunction(() => document.querySelector('[data-testid="share-url"]')?.value.includes('#v1.'));
  const link = await page.locator('[data-testid="share-url"]').inputValue();
  const download = page.waitForEvent('download');
  await page.locator('[data-testid="download-share"]').click();
  const file = join(await mkdtemp(join(tmpdir(), 'parkview-')), 'share.txt');
  await (await download).saveAs(file);

  const other = await browser.newContext();
  const fresh = await other.newPage();
  fresh.on('request', (r) => seen.push(r.url()));
  await fresh.goto(link);
  await fresh.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
  await fresh.locator('[data-testid="view-groups"]').click();
  const labels = await fresh.locator('.label-chip').allTextContents();
  assert.ok(labels.length > 0 && labels.every((l) => /^([^=]+)=\1#[0-9]+$/.test(l)), labels.join(' '));
  assert.ok(!(await fresh.content()).includes('/src/corpusgen/internal'), 'a full path reached the receiver');

  const third = await openPage(browser, server, { seen });
  await dropFiles(third, [file]);
  await third.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
  await other.close();
  await third.context().close();
  await page.context().close();
});

test('a cut or changed link gives one clear error and an empty page', async () => {
  const page = await openPage(browser, server, { seen });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const bad of ['#v1.AAAA', '#v1.q1YqSy0uyc$$', '#view=%7Bnot%20json&v1.']) {
    await page.goto(server.url + bad);
    await page.reload();
    await page.locator('[data-testid="error"]').first().waitFor();
    assert.match(await page.locator('[data-testid="error"]').first().textContent(), /shared link: the link/);
    assert.equal(await page.locator('[data-testid="snapshot"]').count(), 0);
  }
  assert.deepEqual(errors, [], 'no panic, no uncaught error');
  await page.context().close();
});

test('once loaded, the page cannot send anything, not even to its own origin', async () => {
  const page = await openPage(browser, server, { seen });
  await page.waitForFunction(() => document.documentElement.dataset.lockedDown === 'true');
  const result = await page.evaluate(() => fetch('./index.html').then(() => 'sent', () => 'blocked'));
  assert.equal(result, 'blocked');
  await page.context().close();
});

test('the largest link Chromium opens', async () => {
  const page = await openPage(browser, server, { seen });
  // A view part padded to a given length: the app must take on the view (the diff tab).
  const view = encodeURIComponent(JSON.stringify({ view: 'diff' }));
  const sized = (n) => {
    const head = `${server.url}#view=${view}&pad=`;
    return head + 'x'.repeat(n - head.length);
  };
  const limit = 2 * 1024 * 1024;
  await page.goto(sized(limit));
  await page.locator('section.diff').waitFor();
  let opened = true;
  try {
    await page.goto(sized(limit + 1), { timeout: 5000 });
    opened = (await page.evaluate(() => location.href.length)) > limit;
  } catch {
    opened = false;
  }
  assert.equal(opened, false, `Chromium opened a URL of ${limit + 1} characters`);
  console.log(`# Chromium opens URLs of ${limit} characters and refuses ${limit + 1}`);

  // The largest real dump measured to fit: the first 40 MB of the 100k-goroutine dump.
  const large = join(root, '..', 'shared', 'corpus', 'large', 'g100k.goroutine.debug2.txt.gz');
  if (!existsSync(large)) return;
  const text = execFileSync('gzip', ['-dc', large], { maxBuffer: 1 << 30 });
  const dir = await mkdtemp(join(tmpdir(), 'parkview-'));
  const cut = join(dir, 'g100k-40MB.txt');
  await writeFile(cut, text.subarray(0, 40_000_000));
  const bin = join(root, 'target', 'release', 'parkview');
  const fragment = execFileSync(bin, ['share', cut], { maxBuffer: 1 << 28 }).toString().trim();
  const expected = JSON.parse(execFileSync(bin, ['report', '--json', cut], { maxBuffer: 1 << 30 }).toString()).goroutines;
  const url = server.url + fragment;
  assert.ok(url.length <= limit, `the link is ${url.length} characters`);
  const fresh = await (await browser.newContext()).newPage();
  fresh.on('request', (r) => seen.push(r.url()));
  await fresh.goto(url);
  await fresh.locator('[data-testid="total-goroutines"]', { hasText: expected.toLocaleString('en-US') }).waitFor({ timeout: 120000 });
  await fresh.context().close();
  console.log(`# a link of ${url.length} characters opens 40,000,000 bytes of debug=2 text: ${expected} goroutines`);
  await page.context().close();
});

test('no request left the site during these tests', () => {
  assert.ok(seen.length > 0);
  for (const url of seen) assert.ok(onSite(server, url), `request outside the site: ${url.slice(0, 120)}`);
});
