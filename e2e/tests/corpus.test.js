// Every kind of input, dropped on the page, shows the numbers the CLI reports for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, cliReport, dropFiles, openPage, fixtures } from '../lib/harness.js';

let page;
useSite(async ({ server, browser }) => {
  page = await openPage(browser, server);
});


const files = [
  'go1.27/service.s3.goroutine.debug2.txt',
  'go1.27/service.s3.goroutine.debug1.txt',
  'go1.27/service.s3.goroutine.pb.gz',
  'go1.27/service.goroutineleak.debug2.txt',
  'go1.27/service.goroutineleak.pb.gz',
  'go1.26/service.s1.goroutine.debug2.txt',
  'crash/nil-deref.txt',
  'crash/sigquit.txt',
  'go1.27/service.heap.pb.gz',
  'go1.27/service.mutex.debug1.txt',
  'go1.27/service.cpu.pb.gz',
  'wild/011-google-pprof-gobench.cpu-legacy.bin',
  'wild/036-carr123-natsjsmdemo-nats-debug1-crlf-windows.txt',
];

for (const rel of files) {
  test(`${rel} shows what the CLI reports`, async () => {
    const file = join(fixtures, rel);
    const expected = cliReport(file);
    const name = rel.split('/').pop();
    await dropFiles(page, [file]);
    await page.locator('.snapshot.active', { hasText: name }).waitFor();
    await page.locator('[data-testid="view-summary"]').click();
    assert.equal(await page.locator('[data-testid="format"]').textContent(), expected.format);
    assert.equal(await page.locator('[data-testid="profile"]').textContent(), expected.profile);
    if (expected.goroutines !== null) {
      assert.equal(await page.locator('[data-testid="total-goroutines"]').textContent(), expected.goroutines.toLocaleString('en-US'));
      const states = await page.locator('[data-testid="state-row"]').evaluateAll((rows) =>
        Object.fromEntries(rows.map((r) => [r.dataset.state, Number(r.dataset.count)])));
      assert.deepEqual(states, expected.states);
      await page.locator('[data-testid="view-groups"]').click();
      assert.equal(await page.locator('[data-testid="group-count"]').textContent(), expected.groups.length.toLocaleString('en-US'));
      assert.equal(await page.locator('[data-testid="group-sum"]').textContent(), expected.goroutines.toLocaleString('en-US'));
      const shown = await page.locator('[data-testid="group-row"]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.count)));
      assert.deepEqual(shown, expected.groups.slice(0, shown.length).map((g) => g.count));
    } else {
      const totals = await page.locator('[data-testid="total"]').allTextContents();
      assert.deepEqual(totals.map((t) => Number(t.replaceAll(',', ''))), Object.values(expected.totals));
      // A profile of samples has no goroutines to group, compare or trace to their creators.
      assert.deepEqual(await page.locator('[role="tab"]').allTextContents(), ['summary', 'flame']);
    }
  });
}
