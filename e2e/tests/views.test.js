// A user's tour: the sample, every view in light and dark (screenshots in e2e/artifacts/),
// the keyboard, search, the stack of a group, the parent chain, renaming and removing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, openPage, screenshot, cliReport, fixtures, dropFiles } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));


async function loadSample(page) {
  await page.locator('[data-testid="try-sample"]').click();
  await page.locator('.snapshot.active', { hasText: 'service at 152 s' }).waitFor();
  await page.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
}

for (const scheme of ['light', 'dark']) {
  test(`every view, ${scheme}`, async () => {
    const page = await openPage(browser, server, { colorScheme: scheme });
    await screenshot(page, `${scheme}-0-empty.png`);
    await loadSample(page);
    await page.locator('[data-testid="leak-suspect"]').first().waitFor();
    await screenshot(page, `${scheme}-1-summary.png`);
    await page.locator('[data-testid="view-groups"]').click();
    await page.locator('[data-testid="group-row"]').first().click();
    await page.locator('[data-testid="group-detail"]').waitFor();
    await screenshot(page, `${scheme}-2-groups.png`);
    await page.locator('[data-testid="view-diff"]').click();
    await page.locator('[data-testid="diff-row"]').first().waitFor();
    await screenshot(page, `${scheme}-3-diff.png`);
    await page.locator('[data-testid="view-creators"]').click();
    await page.locator('[data-testid="creator-row"]').first().waitFor();
    await page.locator('[data-testid="chain-input"]').fill('182');
    await page.locator('[data-testid="chain-input"]').press('Enter');
    await page.locator('[data-testid="chain"] li').first().waitFor();
    await screenshot(page, `${scheme}-4-creators.png`);
    await page.locator('[data-testid="view-flame"]').click();
    await page.locator('[data-testid="flame-graph"]').waitFor();
    await screenshot(page, `${scheme}-5-flame.png`);
    await page.context().close();
  });
}

test('the keyboard reaches every view, the search and the groups', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  await page.keyboard.press('2');
  await page.locator('[data-testid="group-count"]').waitFor();
  await page.keyboard.press('/');
  await page.locator('[data-testid="search"]:focus').waitFor();
  await page.keyboard.type('/queryBackend|pump/');
  await page.locator('[data-testid="group-count"]', { hasText: /^[1-9]$/ }).waitFor();
  const rows = await page.locator('[data-testid="group-row"]').count();
  assert.equal(String(rows), await page.locator('[data-testid="group-count"]').textContent());
  await page.locator('[data-testid="search"]').blur();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="group-detail"]').waitFor();
  assert.equal(await page.locator('[data-testid="group-row"][aria-selected="true"]').count(), 1);
  await page.keyboard.press('d');
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  await page.keyboard.press('?');
  await page.locator('[data-testid="help"]').waitFor();
  await screenshot(page, 'light-6-help.png');
  await page.keyboard.press('?');
  await page.keyboard.press('t');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await page.keyboard.press('t');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.context().close();
});

test('state chips and similarity change the groups; snapshots can be renamed and removed', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  await page.locator('[data-testid="view-groups"]').click();
  const all = Number(await page.locator('[data-testid="group-sum"]').textContent());
  await page.locator('[data-testid="state-chip"][data-state="chan send"]').click();
  await page.locator('[data-testid="group-sum"]', { hasText: String(all - 72) }).waitFor();
  await page.locator('[data-testid="state-chip"][data-state="chan send"]').click();
  const before = Number(await page.locator('[data-testid="group-count"]').textContent());
  await page.locator('[data-testid="group-by"]').selectOption('tenant');
  await page.locator('[data-testid="similarity"]').selectOption('functions');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="group-count"]').textContent) < n, before);
  await page.locator('.snapshot.active button.name').dblclick();
  await page.locator('input.rename').fill('after the deploy');
  await page.locator('input.rename').press('Enter');
  await page.locator('.snapshot.active', { hasText: 'after the deploy' }).waitFor();
  await page.locator('.snapshot.active button.remove').click();
  await page.locator('[data-testid="snapshot"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="snapshot"]').count(), 1);
  await page.context().close();
});

test('groups that wait by design are dimmed, and the toggle hides them', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  // The summary lists signals with each suspect.
  await page.locator('[data-testid="signals"]').first().waitFor();
  await page.locator('[data-testid="view-groups"]').click();
  const sampleFile = join(fixtures, '..', '..', 'www', 'samples', 'service.s3.goroutine.debug2.txt');
  const background = cliReport(sampleFile).groups.filter((g) => g.background);
  assert.ok(background.length > 0);
  const all = Number(await page.locator('[data-testid="group-sum"]').textContent());
  const hidden = background.reduce((n, g) => n + g.count, 0);
  assert.ok((await page.locator('tr.background[data-testid="group-row"]').count()) > 0);
  await page.locator('[data-testid="hide-background"]').check();
  await page.locator('[data-testid="group-sum"]', { hasText: String(all - hidden) }).waitFor();
  assert.equal(await page.locator('tr.background[data-testid="group-row"]').count(), 0);
  await screenshot(page, 'light-7-background-hidden.png');
  await page.context().close();
});

test('mark as expected silences a suspect, dims its group, and the rules travel in a link', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  const suspects = page.locator('[data-testid="leak-suspect"]');
  await suspects.first().waitFor();
  const before = await suspects.count();
  const first = (await suspects.first().textContent()).slice(0, 60);
  await suspects.first().locator('[data-testid="mark-expected"]').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="leak-suspect"]').length === n - 1, before);
  assert.ok(!(await suspects.first().textContent()).startsWith(first));
  const rules = await page.locator('[data-testid="rules"]').inputValue();
  assert.match(rules, /^(top|any):\S+\n$/);
  await page.locator('[data-testid="silenced"] li').first().waitFor();
  await screenshot(page, 'light-8-expected-rules.png');
  // A rule that does not read: the sentence says which line; the last rules still apply.
  await page.locator('[data-testid="rules"]').fill(rules + 'not a rule\n');
  await page.locator('[data-testid="apply-rules"]').click();
  await page.locator('[data-testid="rules-error"]', { hasText: 'line 2: expected a rule' }).waitFor();
  assert.equal(await suspects.count(), before - 1);
  await page.locator('[data-testid="rules"]').fill(rules);
  await page.locator('[data-testid="apply-rules"]').click();
  await page.locator('[data-testid="rules-error"]').waitFor({ state: 'detached' });
  // The group is dimmed and says which rule silenced it.
  await page.locator('[data-testid="view-groups"]').click();
  const silenced = page.locator('tr.background[title^="expected: silenced by"]');
  await silenced.first().waitFor();
  await silenced.first().click();
  await page.locator('[data-testid="silenced-by"]', { hasText: rules.trim() }).waitFor();
  // A link keeps the rules: the fresh page shows the same suspects.
  await page.locator('[data-testid="share-button"]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="share-url"]')?.value.includes('#v1.'));
  const link = await page.locator('[data-testid="share-url"]').inputValue();
  const fresh = await openPage(browser, server);
  await fresh.goto(link);
  await fresh.locator('[data-testid="view-summary"]').click();
  await fresh.locator('[data-testid="leak-suspect"]').first().waitFor();
  assert.equal(await fresh.locator('[data-testid="rules"]').inputValue(), rules);
  assert.equal(await fresh.locator('[data-testid="leak-suspect"]').count(), before - 1);
  await fresh.context().close();
  await page.context().close();
});

test('a test timeout shows each running test, its goroutines and the bubble that holds its clock', async () => {
  const page = await openPage(browser, server);
  await dropFiles(page, [join(fixtures, 'timeout', 'test-timeout-synctest.txt')]);
  await page.locator('[data-testid="test-timeout"]').waitFor();
  const tests = await page.locator('[data-testid="timed-out-test"]').allTextContents();
  assert.equal(tests.length, 2);
  assert.match(tests[1], /^TestHangs ran 3s: 5 goroutines; running subtests TestHangs\/sub \(3s\)/);
  assert.match(tests[1], /3chan sendhang\.worker/);
  assert.match(await page.locator('[data-testid="unsettled"]').textContent(), /Goroutine 19 in synctest bubble 1 is blocked in chan receive .*not durably/);
  await screenshot(page, 'light-9-test-timeout.png');
  await page.context().close();
});
