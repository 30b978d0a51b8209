// Two snapshots dropped on the page: the diff rows are the CLI's, row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, cliDiff, dropFiles, openPage, fixtures, screenshot } from '../lib/harness.js';

let page;
useSite(async ({ server, browser }) => {
  page = await openPage(browser, server);
});


const rowsOf = (diff) => diff.rows.map((r) => [r.base, r.new, r.delta]);

test('a debug=2 and a proto snapshot compare as the CLI compares them', async () => {
  const base = join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt');
  const next = join(fixtures, 'go1.27', 'service.s3.goroutine.pb.gz');
  const expected = cliDiff(base, next);
  // Taken before the proto, whose own time is 2026-11-22 16:54:18 UTC (the text has none).
  await dropFiles(page, [{ path: base, lastModified: Date.UTC(2026, 10, 22, 16, 51, 46) }]);
  await page.locator('.snapshot.active', { hasText: 'service.s1' }).waitFor();
  await dropFiles(page, [next]);
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  const rows = await page.locator('[data-testid="diff-row"]').evaluateAll((trs) =>
    trs.map((r) => [Number(r.dataset.base), Number(r.dataset.new), Number(r.dataset.delta)]));
  assert.deepEqual(rows, rowsOf(expected));
  await screenshot(page, 'diff-two.png');
});

test('swapping base and new gives the CLI diff the other way round', async () => {
  const base = join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt');
  const next = join(fixtures, 'go1.27', 'service.s3.goroutine.pb.gz');
  const expected = cliDiff(next, base);
  const ids = await page.locator('[data-testid="diff-new"] option').evaluateAll((os) => os.map((o) => o.value));
  await page.locator('[data-testid="diff-base"]').selectOption(ids[1]);
  await page.locator('[data-testid="diff-new"]').selectOption(ids[0]);
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  await page.waitForFunction((first) => {
    const r = document.querySelector('[data-testid="diff-row"]');
    return r && Number(r.dataset.delta) === first;
  }, expected.rows[0].delta);
  const rows = await page.locator('[data-testid="diff-row"]').evaluateAll((trs) =>
    trs.map((r) => [Number(r.dataset.base), Number(r.dataset.new), Number(r.dataset.delta)]));
  assert.deepEqual(rows, rowsOf(expected));
});
