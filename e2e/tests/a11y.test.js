// axe-core on every view of the page in both themes (the empty page, summary, groups with a
// stack open, diff, creators, flame, the share and help dialogs, a crash dump, a CPU profile):
// no serious or critical violation. Screenshots of each at 1400 px in e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, screenshot, dropFiles, fixtures, root } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));

const axeSource = await readFile(join(root, 'e2e', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe on the page as it is: a line per element of each serious or critical violation,
 * naming the rule, the element and what axe says about it.
 */
async function audit(page, where) {
  // The page's CSP (script-src 'self') refuses an inline <script>; evaluating the source
  // through the DevTools protocol is not a script element, so it runs.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return bad.flatMap((v) => v.nodes.slice(0, 6).map((n) => `${where}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`));
}

/**
 * The views of one test, each audited and saved as a11y-SCHEME-NAME.png; `done()` fails with
 * every violation of every view at once.
 */
function auditor(scheme) {
  const found = [];
  return {
    async check(page, name) {
      found.push(...(await audit(page, `${name} (${scheme})`)));
      await screenshot(page, `a11y-${scheme}-${name}.png`);
    },
    done() {
      if (found.length > 0) assert.fail(`axe found ${found.length} serious or critical problems:\n${found.join('\n')}`);
    },
  };
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds no serious or critical violation on any view, ${scheme}`, async () => {
    const a = auditor(scheme);
    const page = await openPage(browser, server, { colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    await page.locator('[data-testid="try-sample"]').waitFor();
    await a.check(page, '0-empty');
    await page.locator('[data-testid="try-sample"]').click();
    await page.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
    await page.locator('[data-testid="leak-suspect"]').first().waitFor();
    await a.check(page, '1-summary');
    await page.locator('[data-testid="view-groups"]').click();
    await page.locator('[data-testid="group-row"]').first().click();
    await page.locator('[data-testid="group-detail"]').waitFor();
    await a.check(page, '2-groups');
    // A focus from the summary, the stack beside the table, totals per label value.
    await page.locator('[data-testid="view-summary"]').click();
    await page.locator('[data-testid="suspect-open"]').first().click();
    await page.locator('[data-testid="focus"]').waitFor();
    await page.locator('[data-testid="group-detail"]').waitFor();
    await page.locator('[data-testid="group-by"]').selectOption('tenant');
    await page.locator('[data-testid="label-total"]').first().waitFor();
    await a.check(page, '2-groups-focus');
    await page.locator('[data-testid="clear-focus"]').click();
    await page.locator('[data-testid="view-diff"]').click();
    await page.locator('[data-testid="diff-row"]').first().waitFor();
    await a.check(page, '3-diff');
    await page.locator('[data-testid="view-creators"]').click();
    await page.locator('[data-testid="creator-row"]').first().waitFor();
    await page.locator('[data-testid="chain-input"]').fill('182');
    await page.locator('[data-testid="chain-input"]').press('Enter');
    await page.locator('[data-testid="chain"] li').first().waitFor();
    await a.check(page, '4-creators');
    await page.locator('[data-testid="view-flame"]').click();
    await page.locator('[data-testid="flame-graph"]').waitFor();
    await a.check(page, '5-flame');
    await page.locator('[data-testid="share-button"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="share-url"]')?.value.includes('#v1.'));
    await a.check(page, '6-share');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="share-url"]').waitFor({ state: 'detached' });
    await page.keyboard.press('?');
    await page.locator('[data-testid="help"]').waitFor();
    await a.check(page, '7-help');
    await page.context().close();
    a.done();
  });

  test(`axe finds no serious or critical violation on a crash and a CPU profile, ${scheme}`, async () => {
    const a = auditor(scheme);
    const page = await openPage(browser, server, { colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    await dropFiles(page, [join(fixtures, 'crash', 'nil-deref.txt')]);
    await page.locator('[data-testid="crash"]').waitFor();
    await a.check(page, '8-crash');
    await page.locator('[data-testid="view-groups"]').click();
    await page.locator('[data-testid="group-row"]').first().waitFor();
    await a.check(page, '8-crash-groups');
    await dropFiles(page, [join(fixtures, 'go1.27', 'service.cpu.pb.gz')]);
    await page.locator('.snapshot.active', { hasText: 'service.cpu.pb.gz' }).waitFor();
    await page.locator('[data-testid="view-summary"]').click();
    await page.locator('[data-testid="top-row"]').first().waitFor();
    await a.check(page, '9-cpu');
    await page.locator('[data-testid="view-flame"]').click();
    await page.locator('[data-testid="flame-graph"]').waitFor();
    await a.check(page, '9-cpu-flame');
    await page.context().close();
    a.done();
  });
}
