// Dumps as people have them: a support bundle (zip) dropped on the page adds each member as a
// snapshot, and a Kubernetes container log (CRI lines) pasted reads as the dump inside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, cliReport, dropFiles, pasteText, screenshot, fixtures } from '../lib/harness.js';

let page;
useSite(async (site) => {
  page = await openPage(site.browser, site.server);
});

test('a dropped zip adds each member that holds a profile, and names what it skipped', async () => {
  await dropFiles(page, [join(fixtures, 'bundle', 'debug-zip.zip')]);
  await page.locator('.snapshot', { hasText: 'debug-zip.zip: nodes/2/goroutine.pb.gz' }).waitFor();
  const names = await page.locator('.snapshot:not(.pending)').evaluateAll((els) => els.map((e) => e.textContent));
  assert.equal(names.length, 2);
  assert.ok(names[0].includes('debug-zip.zip: nodes/1/goroutines.txt'), names[0]);
  await page.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
  const error = page.locator('[data-testid="error"]', { hasText: 'status.json' });
  await error.waitFor();
  assert.match(await error.textContent(), /skipped: this looks like JSON/);
  // The two members compare as any two snapshots do.
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('text=goroutines: 53 → 112').waitFor();
  await screenshot(page, 'bundle-zip.png');
});

test('a pasted CRI container log reads as the dump inside it, the wrapper named', async () => {
  const file = join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt');
  const expected = cliReport(file);
  const text = (await readFile(file)).toString();
  // Lines longer than 60 bytes go out as partial (P) records first, as the kubelet writes them.
  const cri = text.split('\n').slice(0, -1).flatMap((line) => {
    const parts = line.match(/.{1,60}/g) ?? [''];
    return parts.map((part, i) => `2026-11-30T08:53:35.123456789Z stderr ${i + 1 < parts.length ? 'P' : 'F'} ${part}`);
  }).join('\n') + '\n';
  await page.locator('[data-testid="view-summary"]').click();
  await pasteText(page, cri);
  await page.locator('.snapshot.active', { hasText: 'pasted text' }).waitFor();
  await page.locator('[data-testid="total-goroutines"]', { hasText: expected.goroutines.toLocaleString('en-US') }).waitFor();
  assert.equal(await page.locator('[data-testid="wrapper"]').textContent(), 'cri log');
  const states = await page.locator('[data-testid="state-row"]').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.state, Number(r.dataset.count)])));
  assert.deepEqual(states, expected.states);
  await screenshot(page, 'pasted-cri.png');
});

test('a race report in front of a dump shows each race, and its stacks on opening it', async () => {
  const file = join(fixtures, 'race', 'race-then-panic.txt');
  const expected = cliReport(file);
  await page.locator('[data-testid="view-summary"]').click();
  await pasteText(page, (await readFile(file)).toString());
  await page.locator('[data-testid="total-goroutines"]', { hasText: expected.goroutines.toLocaleString('en-US') }).waitFor();
  const races = page.locator('[data-testid="race"]');
  await races.nth(expected.races.length - 1).waitFor();
  assert.equal(await races.count(), expected.races.length);
  const first = expected.races[0].accesses[0];
  assert.match(await races.first().locator('summary').textContent(), new RegExp(`^${first.kind} at ${first.address} by goroutine ${first.goroutine}`));
  await races.first().locator('summary').click();
  await races.first().locator('.race-part', { hasText: 'created at' }).first().waitFor();
  assert.equal(await races.first().locator('.race-part').count(), expected.races[0].accesses.length + expected.races[0].goroutines.length);
  await screenshot(page, 'races.png');
});
