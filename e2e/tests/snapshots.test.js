// Snapshots in the order they were taken: files handed in the wrong order with their
// modification times set, the diff's base and new, unrelated programs, the samples, and what a
// reload brings back from the browser's storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { useSite, dropFiles, openPage, pasteText, fixtures, screenshot } from '../lib/harness.js';

const site = useSite();
const s1 = join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt');
const s3 = join(fixtures, 'go1.27', 'service.s3.goroutine.debug2.txt');
const s3debug1 = join(fixtures, 'go1.27', 'service.s3.goroutine.debug1.txt');
// The leaking service's snapshots, 4 s, 100 s and 152 s after it started.
const start = Date.UTC(2026, 10, 30, 8, 0, 0);
const at = (seconds) => start + seconds * 1000;

async function wide(options) {
  const page = await openPage(site.browser, site.server, options);
  await page.setViewportSize({ width: 1400, height: 900 });
  return page;
}

const chipNames = (page) => page.locator('[data-testid="snapshot"] .name').evaluateAll((bs) => bs.map((b) => b.textContent));
const selected = (page, testid) => page.locator(`[data-testid="${testid}"]`).evaluate((s) => s.options[s.selectedIndex].textContent);

test('files handed in the wrong order are listed and compared in the order they were taken', async () => {
  const page = await wide();
  await dropFiles(page, [{ path: s3, lastModified: at(152) }, { path: s1, lastModified: at(4) }, { path: s3debug1, lastModified: at(100) }]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="snapshot"]').length === 3);
  assert.deepEqual(await chipNames(page), ['service.s1.goroutine.debug2.txt', 'service.s3.goroutine.debug1.txt', 'service.s3.goroutine.debug2.txt']);
  const sources = await page.locator('[data-testid="snapshot-taken"]').evaluateAll((ts) => ts.map((t) => [t.dataset.source, t.title]));
  for (const [source, title] of sources) {
    assert.equal(source, 'file modified');
    assert.match(title, /^taken 2026-11-30 \d\d:\d\d:\d\d \(file modified\)$/);
  }
  // A chip reads "name  08:02:32 · 68.9 KiB": apart from the name, and on one line, also at
  // phone width (the flex chip drops a leading space, which once ran them together).
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const chips = await page.locator('[data-testid="snapshot"]').evaluateAll((cs) => cs.map((c) => {
      const name = c.querySelector('.name').getBoundingClientRect();
      const taken = c.querySelector('.taken');
      const lines = document.createRange();
      lines.selectNodeContents(taken);
      return { gap: taken.getBoundingClientRect().left - name.right, lines: lines.getClientRects().length };
    }));
    for (const chip of chips) {
      assert.ok(chip.gap >= 4, `at ${width} px the time stands apart from the name (${chip.gap} px)`);
      assert.equal(chip.lines, 1, `at ${width} px the time and size keep to one line`);
    }
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  assert.match(await selected(page, 'diff-base'), /^service\.s1\.goroutine\.debug2\.txt · /);
  assert.match(await selected(page, 'diff-new'), /^service\.s3\.goroutine\.debug2\.txt · /);
  await page.locator('.diff h2', { hasText: 'goroutines: 53 → 112' }).waitFor();
  const first = await page.locator('[data-testid="diff-row"]').first().evaluate((r) => Number(r.dataset.delta));
  assert.ok(first > 0, `the leak grows from base to new (first delta ${first})`);
  assert.equal(await page.locator('[data-testid="diff-unrelated"]').count(), 0);
  await screenshot(page, 'diff-snapshots-ordered.png');
  // Swapping turns it round; the selects follow.
  await page.locator('[data-testid="diff-swap"]').click();
  await page.locator('.diff h2', { hasText: 'goroutines: 112 → 53' }).waitFor();
  assert.match(await selected(page, 'diff-base'), /^service\.s3\.goroutine\.debug2\.txt · /);
  await page.locator('[data-testid="diff-swap"]').click();
  await page.locator('.diff h2', { hasText: 'goroutines: 53 → 112' }).waitFor();
  // The newest snapshot's leak suspects grew since the oldest, the diff's base.
  await page.locator('[data-testid="snapshot"] .name', { hasText: 'service.s3.goroutine.debug2.txt' }).click();
  await page.locator('[data-testid="view-summary"]').click();
  await page.getByText(/since the base snapshot/).first().waitFor();
  await screenshot(page, 'summary-snapshots-ordered.png');
  await page.context().close();
});

test('two pasted crashes of different programs are said to be unrelated and claim no growth', async () => {
  const page = await wide();
  await pasteText(page, await readFile(join(fixtures, 'crash', 'nil-deref.txt'), 'utf8'));
  await page.locator('[data-testid="snapshot"]').first().waitFor();
  await pasteText(page, await readFile(join(fixtures, 'wild', '054-joshcarp-benchmarks-concurrent-map-writes-go1.16-README.txt'), 'utf8'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="snapshot"]').length === 2);
  const sources = await page.locator('[data-testid="snapshot-taken"]').evaluateAll((ts) => ts.map((t) => t.dataset.source));
  assert.deepEqual(sources, ['loaded', 'loaded']);
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('[data-testid="diff-unrelated"]').waitFor();
  await screenshot(page, 'diff-snapshots-unrelated.png');
  // The newest is shown; its summary measures nothing against the other program.
  await page.locator('[data-testid="view-summary"]').click();
  await page.locator('main.content').waitFor();
  await page.waitForFunction(() => document.querySelector('main.content')?.textContent.length > 0);
  assert.doesNotMatch(await page.locator('main.content').textContent(), /since the base/);
  await page.context().close();
});

test('back and forward return to the snapshot they showed after an older one arrived before it', async () => {
  const page = await wide();
  await dropFiles(page, [{ path: s3, lastModified: at(152) }]);
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.locator('[data-testid="view-groups"]').click();
  await page.locator('[data-testid="group-row"]').first().waitFor();
  // s1 was taken earlier: it is listed first, where s3 was.
  await dropFiles(page, [{ path: s1, lastModified: at(4) }]);
  await page.locator('.snapshot.active', { hasText: 'service.s1' }).waitFor();
  assert.deepEqual(await chipNames(page), ['service.s1.goroutine.debug2.txt', 'service.s3.goroutine.debug2.txt']);
  await page.goBack();
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.locator('[data-testid="group-row"]').first().waitFor();
  await page.goForward();
  await page.locator('.snapshot.active', { hasText: 'service.s1' }).waitFor();
  await page.goBack();
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.context().close();
});

test('the sample is never compared with the user\'s own dumps', async () => {
  const page = await wide();
  await dropFiles(page, [{ path: s1, lastModified: at(4) }]);
  await page.locator('[data-testid="snapshot"]').first().waitFor();
  await page.locator('[data-testid="try-sample-bar"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="snapshot"]').length === 3);
  assert.equal(await page.locator('.snapshot .badge.sample').count(), 2);
  await page.locator('[data-testid="view-diff"]').click();
  await page.getByText('The samples are not compared with your own dumps.').waitFor();
  assert.equal(await page.locator('[data-testid="diff-base"]').count(), 0, 'one own dump: nothing to compare');
  await dropFiles(page, [{ path: s3, lastModified: at(152) }]);
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  const options = await page.locator('[data-testid="diff-base"] option').evaluateAll((os) => os.map((o) => o.textContent));
  assert.equal(options.length, 2);
  assert.ok(options.every((o) => !o.startsWith('sample')), options.join(', '));
  await page.locator('.diff h2', { hasText: 'goroutines: 53 → 112' }).waitFor();
  await screenshot(page, 'diff-snapshots-sample-apart.png');
  await page.context().close();
});

test('a reload brings the loaded files back from the browser\'s storage until they are forgotten', async () => {
  const seen = [];
  const page = await wide({ seen });
  await dropFiles(page, [{ path: s3, lastModified: at(152) }, { path: s1, lastModified: at(4) }]);
  await page.locator('[data-testid="stored"]', { hasText: '2 inputs kept' }).waitFor();
  await screenshot(page, 'chips-snapshots-stored.png');
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="snapshot"]').length === 2);
  assert.deepEqual(await chipNames(page), ['service.s1.goroutine.debug2.txt', 'service.s3.goroutine.debug2.txt']);
  const sources = await page.locator('[data-testid="snapshot-taken"]').evaluateAll((ts) => ts.map((t) => t.dataset.source));
  assert.deepEqual(sources, ['file modified', 'file modified']);
  await page.locator('[data-testid="stored"]', { hasText: '2 inputs kept' }).waitFor();
  await page.locator('[data-testid="forget-stored"]').click();
  await page.locator('[data-testid="stored"]').waitFor({ state: 'detached' });
  // What is loaded stays on the page until the reload.
  assert.equal(await page.locator('[data-testid="snapshot"]').count(), 2);
  await page.reload();
  await page.locator('[data-testid="try-sample"]').waitFor();
  await page.locator('[data-testid="file-input"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-testid="snapshot"]').count(), 0);
  const stored = await page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open('parkview');
    open.onsuccess = () => {
      const count = open.result.transaction('inputs').objectStore('inputs').count();
      count.onsuccess = () => ok(count.result);
      count.onerror = () => fail(count.error);
    };
    open.onerror = () => fail(open.error);
  }));
  assert.equal(stored, 0);
  const off = seen.filter((u) => !u.startsWith(site.server.url) && !u.startsWith(`blob:${site.server.origin}/`));
  assert.deepEqual(off, []);
  await page.context().close();
});

test('a reload brings back neither a file that failed to load nor one the user removed', async () => {
  const page = await wide();
  await dropFiles(page, [join(fixtures, 'bad', 'pprof-index.html'), { path: s1, lastModified: at(4) }, { path: s3, lastModified: at(152) }]);
  await page.locator('[data-testid="error"]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="snapshot"]').length === 2);
  await page.locator('[data-testid="stored"]', { hasText: '2 inputs kept' }).waitFor();
  await page.locator('.snapshot', { hasText: 'service.s1' }).locator('button[aria-label^="remove"]').click();
  await page.locator('[data-testid="stored"]', { hasText: '1 input kept' }).waitFor();
  await page.reload();
  await page.locator('.snapshot', { hasText: 'service.s3' }).waitFor();
  await page.locator('[data-testid="total-goroutines"]').waitFor();
  assert.deepEqual(await chipNames(page), ['service.s3.goroutine.debug2.txt']);
  assert.equal(await page.locator('[data-testid="error"]').count(), 0, 'the file that failed is not read again');
  await page.locator('[data-testid="forget-stored"]').click();
  await page.locator('[data-testid="stored"]').waitFor({ state: 'detached' });
  await page.context().close();
});
