// The page on a phone (390 × 844): no view scrolls sideways, every tab can be tapped, and the
// groups table keeps its "where" column. Screenshots phone-SCHEME-*.png in e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, openPage, screenshot, dropFiles, fixtures } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));

const phone = { width: 390, height: 844 };

/** The page as it is fits the phone's width: nothing makes the document scroll sideways. */
async function fits(page, where) {
  const { scroll, inner, wide } = await page.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth,
    inner: window.innerWidth,
    // What sticks out, to say in the failure.
    wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`),
  }));
  assert.ok(scroll <= inner, `${where}: the page is ${scroll} px wide in a ${inner} px window; too wide: ${wide.join(', ')}`);
}

/** Every tab is on the page and the topmost thing where a finger lands on it. */
async function tabsTappable(page, where) {
  const tabs = page.locator('[role="tab"]');
  const n = await tabs.count();
  assert.ok(n >= 2, `${where}: ${n} tabs`);
  for (let i = 0; i < n; i++) {
    const tab = tabs.nth(i);
    await tab.scrollIntoViewIfNeeded();
    const hit = await tab.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return { covered: !(at && el.contains(at)), right: r.right, width: r.width, inner: window.innerWidth };
    });
    assert.ok(!hit.covered && hit.width > 0 && hit.right <= hit.inner, `${where}: tab ${await tab.textContent()} cannot be tapped (${JSON.stringify(hit)})`);
  }
}

async function check(page, scheme, name) {
  await fits(page, `${name} (${scheme})`);
  if (name !== '0-empty') await tabsTappable(page, `${name} (${scheme})`);
  await screenshot(page, `phone-${scheme}-${name}.png`);
}

for (const scheme of ['light', 'dark']) {
  test(`on a phone every view fits and keeps what matters, ${scheme}`, async () => {
    const page = await openPage(browser, server, { colorScheme: scheme, viewport: phone });
    await page.locator('[data-testid="try-sample"]').waitFor();
    await check(page, scheme, '0-empty');
    await page.locator('[data-testid="try-sample"]').click();
    await page.locator('[data-testid="leak-suspect"]').first().waitFor();
    await check(page, scheme, '1-summary');
    await page.locator('[data-testid="view-groups"]').click();
    await page.locator('[data-testid="group-row"]').first().waitFor();
    // "where" stays: each row's first user frame is on the screen, not cut to nothing.
    const where = await page.locator('[data-testid="group-row"] td.col-where').evaluateAll((cells) => cells.slice(0, 10).map((c) => {
      const r = c.getBoundingClientRect();
      return { visible: getComputedStyle(c).display !== 'none' && r.width >= 120 && r.right <= window.innerWidth, text: c.textContent };
    }));
    assert.ok(where.length > 0 && where.every((w) => w.visible && w.text.length > 0), JSON.stringify(where));
    await page.locator('[data-testid="group-row"]').first().click();
    await page.locator('[data-testid="group-detail"]').waitFor();
    await check(page, scheme, '2-groups');
    await page.locator('[data-testid="view-diff"]').click();
    await page.locator('[data-testid="diff-row"]').first().waitFor();
    await check(page, scheme, '3-diff');
    await page.locator('[data-testid="view-creators"]').click();
    await page.locator('[data-testid="creator-row"]').first().waitFor();
    await check(page, scheme, '4-creators');
    await page.locator('[data-testid="view-flame"]').click();
    await page.locator('[data-testid="flame-graph"]').waitFor();
    await check(page, scheme, '5-flame');
    await page.locator('[data-testid="share-button"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="share-url"]')?.value.includes('#v1.'));
    await fits(page, `share (${scheme})`);
    await screenshot(page, `phone-${scheme}-6-share.png`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.locator('[data-testid="help"]').waitFor();
    await fits(page, `help (${scheme})`);
    await screenshot(page, `phone-${scheme}-7-help.png`);
    await page.keyboard.press('Escape');
    await dropFiles(page, [join(fixtures, 'crash', 'nil-deref.txt')]);
    await page.locator('.snapshot.active', { hasText: 'nil-deref.txt' }).waitFor();
    await page.locator('[data-testid="view-summary"]').click();
    await page.locator('[data-testid="crash"]').waitFor();
    await check(page, scheme, '8-crash');
    await dropFiles(page, [join(fixtures, 'go1.27', 'service.cpu.pb.gz')]);
    await page.locator('.snapshot.active', { hasText: 'service.cpu.pb.gz' }).waitFor();
    await page.locator('[data-testid="top-row"]').first().waitFor();
    await check(page, scheme, '9-cpu');
    await page.context().close();
  });
}
