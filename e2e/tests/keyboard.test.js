// Keyboard only: the file picker opens with Enter and Space and the shortcuts work right after
// a file is picked; Escape in the search box clears it, then leaves it; the tabs follow the
// WAI-ARIA tabs pattern; group rows are reached with Tab and open with Enter or Space; dialogs
// take focus, keep it, and give it back; copy buttons say they copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, openPage, fixtures } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e === document.body || !e ? 'body' : e.dataset.testid || e.getAttribute('role') || e.tagName.toLowerCase();
});

async function loadSample(page) {
  await page.locator('[data-testid="try-sample"]').click();
  await page.locator('.snapshot.active', { hasText: 'service at 152 s' }).waitFor();
  await page.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
}

test('Enter and Space open the file picker, and the shortcuts work once a file is picked', async () => {
  const page = await openPage(browser, server);
  const open = page.locator('[data-testid="open-dumps"]');
  assert.equal(await open.evaluate((e) => e.tagName), 'BUTTON');
  // Listening first has Playwright catch the picker; the focus call's round trip lets that settle.
  const picked = page.waitForEvent('filechooser');
  await open.focus();
  await page.keyboard.press('Enter');
  await (await picked).setFiles(join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt'));
  await page.locator('.snapshot.active', { hasText: 'service.s1.goroutine.debug2.txt' }).waitFor();
  assert.equal(await focused(page), 'body');
  // No click in between: the number key shows the groups.
  await page.keyboard.press('2');
  await page.locator('[data-testid="group-row"]').first().waitFor();
  const again = page.waitForEvent('filechooser');
  await open.focus();
  await page.keyboard.press(' ');
  await (await again).setFiles(join(fixtures, 'go1.27', 'service.s3.goroutine.debug2.txt'));
  await page.locator('.snapshot.active', { hasText: 'service.s3.goroutine.debug2.txt' }).waitFor();
  await page.keyboard.press('d');
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  await page.context().close();
});

test('Escape in the search box clears it, then leaves it, and never changes the view', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  await page.keyboard.press('/');
  const search = page.locator('[data-testid="search"]');
  await page.locator('[data-testid="search"]:focus').waitFor();
  await page.keyboard.type('pump');
  await page.waitForFunction(() => document.querySelector('[data-testid="group-count"]')?.textContent !== '');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid="search"]').value === '');
  assert.equal(await focused(page), 'search');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement !== document.querySelector('[data-testid="search"]'));
  assert.equal(await page.locator('[data-testid="view-groups"]').getAttribute('aria-selected'), 'true');
  assert.equal(await search.inputValue(), '');
  await page.context().close();
});

test('the tabs follow the WAI-ARIA tabs pattern', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  const selected = page.locator('[role="tab"][aria-selected="true"]');
  const check = async (name) => {
    await page.locator(`[role="tab"][aria-selected="true"][data-testid="view-${name}"]:focus`).waitFor();
    const roving = await page.locator('[role="tab"]').evaluateAll((tabs) => tabs.map((t) => t.tabIndex));
    assert.deepEqual(roving.filter((t) => t === 0).length, 1, `one tab in the Tab order: ${roving}`);
    const panel = await page.locator('main').evaluate((m) => ({ role: m.getAttribute('role'), id: m.id, by: m.getAttribute('aria-labelledby') }));
    assert.equal(panel.role, 'tabpanel');
    assert.equal(await selected.getAttribute('aria-controls'), panel.id);
    assert.equal(await selected.getAttribute('id'), panel.by);
  };
  assert.equal(await page.locator('[role="tablist"] > [role="tab"]').count(), 5);
  await selected.focus();
  await page.keyboard.press('ArrowRight');
  await check('groups');
  await page.keyboard.press('End');
  await check('flame');
  await page.keyboard.press('ArrowRight');
  await check('summary');
  await page.keyboard.press('ArrowLeft');
  await check('flame');
  await page.keyboard.press('Home');
  await check('summary');
  await page.context().close();
});

test('group rows are reached with Tab and open their stack with Enter or Space', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  await page.keyboard.press('2');
  await page.locator('[data-testid="group-row"]').first().waitFor();
  await page.locator('[data-testid="search"]').focus();
  for (let i = 0; i < 40 && (await focused(page)) !== 'group-row'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'group-row');
  const count = await page.evaluate(() => document.activeElement.dataset.count);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="group-detail"]', { hasText: `${count} goroutines` }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="group-detail"]').waitFor({ state: 'detached' });
  await page.keyboard.press(' ');
  await page.locator('[data-testid="group-detail"]').waitFor();
  assert.equal(await page.locator('[data-testid="group-row"][aria-selected="true"]').getAttribute('data-count'), count);
  // Copying the stack says so.
  await page.locator('[data-testid="copy-stack"]').click();
  await page.locator('[role="status"][data-testid="copied"]', { hasText: 'Copied to the clipboard.' }).waitFor();
  await page.context().close();
});

test('dialogs take focus, are modal, keep Tab inside, close on Escape and give focus back', async () => {
  const page = await openPage(browser, server);
  await loadSample(page);
  await page.keyboard.press('?');
  const help = page.locator('[data-testid="help"]');
  await page.locator('[data-testid="help"]:focus').waitFor();
  assert.equal(await help.getAttribute('aria-modal'), 'true');
  assert.equal(await help.getAttribute('role'), 'dialog');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  assert.equal(await focused(page), 'body');
  const share = page.locator('[data-testid="share-button"]');
  await share.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('[role="dialog"][aria-modal="true"]');
  await dialog.waitFor();
  await page.waitForFunction(() => document.activeElement?.closest('[role="dialog"]'));
  await page.waitForFunction(() => document.querySelector('[data-testid="share-url"]')?.value.includes('#v1.'));
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement.closest('[role="dialog"]')), `Tab ${i} left the dialog`);
  }
  await page.locator('[data-testid="copy-link"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="copied"]', { hasText: 'Copied to the clipboard.' }).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await focused(page), 'share-button');
  await page.context().close();
});

test('a profile of samples shows only the tabs that apply, and their keys alone work', async () => {
  const page = await openPage(browser, server);
  await page.locator('[data-testid="file-input"]').setInputFiles(join(fixtures, 'go1.27', 'service.heap.pb.gz'));
  await page.locator('[data-testid="top-row"]').first().waitFor();
  assert.deepEqual(await page.locator('[role="tab"]').allTextContents(), ['summary', 'flame']);
  await page.keyboard.press('2');
  await page.keyboard.press('5');
  await page.locator('[data-testid="flame-graph"]').waitFor();
  await page.keyboard.press('3');
  await page.keyboard.press('1');
  await page.locator('[data-testid="top-row"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="not-applicable"]').count(), 0);
  await page.context().close();
});
