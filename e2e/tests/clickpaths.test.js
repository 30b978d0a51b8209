// Every number leads to its stack: a leak suspect, a longest wait, a wait-state bar, a diff row,
// a creator row, a parent chain's goroutine and the crash banner each open the groups table on
// the groups they name, with the first one's whole stack open where it is seen. Then the groups
// table's own aids: the selection stays in the window, rows that read alike say how they
// differ, empty columns are left out, searches that cannot compile say so, `key=value` finds
// labels as they are shown, grouping by a label totals each value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, openPage, dropFiles, fixtures, screenshot } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));

const s1 = join(fixtures, 'go1.27', 'service.s1.goroutine.debug2.txt');
const s3 = join(fixtures, 'go1.27', 'service.s3.goroutine.debug2.txt');
const labelled = join(fixtures, 'go1.27', 'service.s1.goroutine.debug1.txt');

async function load(page, files, active) {
  await dropFiles(page, files);
  await page.locator('.snapshot.active', { hasText: active }).waitFor();
  await page.locator('[data-testid="total-goroutines"]').waitFor();
}

/** The groups the focus shows: their counts, and the open stack's text. */
async function focused(page) {
  await page.locator('[data-testid="view-groups"][aria-selected="true"]').waitFor();
  await page.locator('[data-testid="focus"]').waitFor();
  const detail = page.locator('[data-testid="group-detail"]');
  await detail.waitFor();
  const counts = await page.locator('[data-testid="group-row"]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.count)));
  return { counts, sum: counts.reduce((a, b) => a + b, 0), stack: await detail.innerText(), detail };
}

/** Whether the element's box is inside the window (at least its top part, for a tall one). */
async function inWindow(locator) {
  return locator.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight - 20 && r.bottom > 0;
  });
}

test('a leak suspect and a longest wait open their group with its stack in view', async () => {
  const page = await openPage(browser, server, { viewport: { width: 1400, height: 900 } });
  await load(page, [s1, s3], 'service.s3');
  const suspect = page.locator('[data-testid="suspect-open"]').first();
  const { count, site } = await suspect.evaluate((b) => ({ count: Number(b.dataset.count), site: b.dataset.site }));
  await suspect.click();
  let f = await focused(page);
  assert.ok(f.counts.length >= 1, 'the focus shows the suspect\'s group');
  assert.ok(f.sum >= count, `the focused groups hold the suspect's ${count} goroutines: ${f.sum}`);
  assert.ok(f.stack.includes(site), `the open stack is the suspect's (${site})`);
  assert.ok(await inWindow(f.detail), 'the stack is in the window');
  assert.ok(await inWindow(page.locator('[data-testid="group-row"].selected')), 'its row is in the window too');
  await screenshot(page, 'clickpath-suspect-1400.png');
  await page.locator('[data-testid="clear-focus"]').click();
  await page.locator('[data-testid="focus"]').waitFor({ state: 'detached' });
  assert.ok(await page.locator('[data-testid="group-row"]').count() > f.counts.length, 'clearing the focus shows every group');

  await page.locator('[data-testid="view-summary"]').click();
  const wait = page.locator('[data-testid="wait-open"]').first();
  const w = await wait.evaluate((b) => ({ count: Number(b.dataset.count), site: b.dataset.site }));
  await wait.click();
  f = await focused(page);
  assert.ok(f.sum >= w.count, `the longest wait's ${w.count} goroutines are shown: ${f.sum}`);
  assert.ok(f.stack.includes(w.site), `the open stack is the wait's (${w.site})`);
  assert.ok(await inWindow(f.detail));
  await page.context().close();
});

test('a wait-state bar shows the groups in that state only, with the chips saying so', async () => {
  const page = await openPage(browser, server);
  await load(page, [s3], 'service.s3');
  const row = page.locator('[data-testid="state-row"]').first();
  const { state, count } = await row.evaluate((r) => ({ state: r.dataset.state, count: Number(r.dataset.count) }));
  await row.locator('button').click();
  await page.locator('[data-testid="view-groups"][aria-selected="true"]').waitFor();
  await page.waitForFunction((n) => document.querySelector('[data-testid="group-sum"]')?.textContent.replace(/,/g, '') === String(n), count);
  const on = await page.locator('[data-testid="state-chip"][aria-pressed="true"]').evaluateAll((c) => c.map((x) => x.dataset.state));
  assert.deepEqual(on, [state]);
  const chip = await page.locator(`[data-testid="state-chip"][data-state="${state}"]`).innerText();
  assert.ok(chip.replace(/,/g, '').includes(String(count)), `the chip counts its goroutines: ${chip}`);
  await page.context().close();
});

test('a diff row opens its groups in the snapshot that holds them', async () => {
  const page = await openPage(browser, server);
  await load(page, [s1, s3], 'service.s3');
  await page.locator('[data-testid="view-diff"]').click();
  const row = page.locator('[data-testid="diff-row"]').first();
  await row.waitFor();
  const where = await row.locator('[data-testid="diff-open"]').innerText();
  await row.locator('[data-testid="diff-open"]').click();
  const f = await focused(page);
  assert.ok(f.counts.length >= 1);
  const func = where.trim().split(/\s+/)[0];
  assert.ok(f.stack.includes(func.replace(/…$/, '')), `the stack holds ${func}`);
  await page.context().close();
});

test('creator rows, their sites and a parent chain lead to the groups they count', async () => {
  const page = await openPage(browser, server);
  await load(page, [s3], 'service.s3');
  await page.locator('[data-testid="view-creators"]').click();
  const row = page.locator('[data-testid="creator-row"]').first();
  await row.waitFor();
  const count = Number((await row.locator('td.num').innerText()).replace(/,/g, ''));
  await row.locator('[data-testid="creator-site-open"]').click();
  let f = await focused(page);
  assert.equal(f.sum, count, 'a creator row\'s site shows exactly the goroutines it counts');

  await page.locator('[data-testid="view-creators"]').click();
  await page.locator('[data-testid="creator-row"]').first().locator('[data-testid="creator-open"]').click();
  f = await focused(page);
  assert.ok(f.sum >= count);

  // The open stack's "created by" is itself a way to the creator's other groups.
  await page.locator('[data-testid="created-by-open"]').click();
  f = await focused(page);
  assert.match(await page.locator('[data-testid="focus"]').innerText(), /created by/);

  await page.locator('[data-testid="view-creators"]').click();
  await page.locator('[data-testid="chain-input"]').fill('1');
  await page.locator('[data-testid="chain-input"]').press('Enter');
  await page.locator('[data-testid="chain-open"]').first().click();
  f = await focused(page);
  assert.match(f.stack, /ids [^\n]*\b1\b/, 'the group of goroutine 1 is open');
  await page.context().close();
});

test('a crash shows the goroutine that crashed first, and leads to its group', async () => {
  const page = await openPage(browser, server, { viewport: { width: 1400, height: 900 } });
  await load(page, [join(fixtures, 'crash', 'nil-deref.txt')], 'nil-deref');
  const crashed = page.locator('[data-testid="crashed"]');
  await crashed.waitFor();
  const text = await crashed.innerText();
  assert.match(text, /goroutine 42 \[running\]/);
  assert.match(await page.locator('[data-testid="crash-site"]').innerText(), /main\.shipOrder/);
  assert.match(text, /0xa65d80\?/, 'the stack shows its arguments');
  assert.ok(await inWindow(crashed), 'the crashed goroutine is the first thing in view');
  const above = await page.evaluate(() => {
    const c = document.querySelector('[data-testid="crashed"]').getBoundingClientRect().top;
    return [...document.querySelectorAll('[data-testid="leak-suspect"], [data-testid="state-row"]')].filter((e) => e.getBoundingClientRect().top < c).length;
  });
  assert.equal(above, 0, 'nothing of the analysis comes before the crash');
  await screenshot(page, 'clickpath-crash-1400.png');
  await page.locator('[data-testid="crash-open"]').click();
  const f = await focused(page);
  assert.match(f.stack, /ids 42\b/);
  assert.match(f.stack, /main\.shipOrder/);
  await page.context().close();
});

test('the selected row stays in the window as j moves it', async () => {
  const page = await openPage(browser, server, { viewport: { width: 1400, height: 900 } });
  await load(page, [s3], 'service.s3');
  await page.keyboard.press('2');
  await page.locator('[data-testid="group-row"]').first().waitFor();
  // The virtualized table places rows by a fixed height (groups.rs ROW_HEIGHT): a row that
  // grows with its content (a label chip, a badge) would drift the rows away from where it counts.
  const heights = await page.locator('[data-testid="group-row"]').evaluateAll((rows) => [...new Set(rows.map((r) => r.getBoundingClientRect().height))]);
  assert.deepEqual(heights, [30]);
  for (let i = 0; i < 25; i++) await page.keyboard.press('j');
  const selected = page.locator('[data-testid="group-row"].selected');
  await selected.waitFor();
  assert.ok(await inWindow(selected), 'the 26th row is in the window');
  await page.keyboard.press('Enter');
  const detail = page.locator('[data-testid="group-detail"]');
  await detail.waitFor();
  assert.ok(await inWindow(detail), 'its stack is in the window');
  assert.ok(await inWindow(selected), 'and so is its row');
  await screenshot(page, 'groups-open-1400.png');
  // After a click, j moves the keyboard focus with the selection: Enter opens the row moved to.
  await page.locator('[data-testid="group-row"]').first().click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  const third = await page.locator('[data-testid="group-row"]').nth(2).evaluate((r) => r.classList.contains('selected'));
  assert.ok(third, 'j j selects the third row');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.classList.contains('selected'));
  assert.equal(await page.locator('[data-testid="group-row"].selected').evaluate((r) => r.getAttribute('aria-selected')), 'true');
  assert.equal(await page.locator('[data-testid="group-row"]').nth(2).getAttribute('aria-selected'), 'true');
  await page.context().close();
});

test('rows that read alike say how they differ; columns with nothing in them are left out', async () => {
  const page = await openPage(browser, server, { viewport: { width: 1400, height: 900 } });
  await load(page, [labelled], 'debug1');
  await page.locator('[data-testid="view-groups"]').click();
  await page.locator('[data-testid="group-row"]').first().waitFor();
  const differs = await page.locator('[data-testid="differs"]').allInnerTexts();
  assert.ok(differs.length >= 2, `groups that share a first frame are told apart: ${differs.length}`);
  assert.ok(differs.some((d) => /=|via|created by|no /.test(d)), differs.join(' | '));
  assert.equal(await page.locator('th.col-labels').count(), 1, 'a dump with labels has the labels column');
  // The opened stack says it in full (a narrow "where" cell cuts it off).
  const told = page.locator('[data-testid="group-row"]:has([data-testid="differs"])').first();
  const cell = (await told.locator('[data-testid="differs"]').textContent()).replace(/^\s*·\s*/, '');
  // In the row it comes right after the function, before the file line those rows share, so
  // that a cell that cuts the row off still shows it.
  const where = await told.locator('.col-where').innerText();
  const place = await told.locator('.col-where .place').innerText();
  assert.match(where, /^\S+ · /, where);
  assert.match(place, /^ ?at \S+\.go:\d+$/, place);
  assert.ok(where.endsWith(place.trim()) && where.indexOf(cell) < where.length - place.trim().length, `${where} | ${place}`);
  await told.click();
  await page.locator('[data-testid="detail-differs"]', { hasText: cell }).waitFor();

  // A dump with no labels and no wait times (a debug=1 dump of a NATS demo).
  await dropFiles(page, [join(fixtures, 'wild', '036-carr123-natsjsmdemo-nats-debug1-crlf-windows.txt')]);
  await page.locator('.snapshot.active', { hasText: '036-carr123' }).waitFor();
  await page.locator('[data-testid="view-groups"]').click();
  await page.locator('[data-testid="group-row"]').first().waitFor();
  assert.equal(await page.locator('th.col-labels').count(), 0, 'a dump without labels has no labels column');
  assert.equal(await page.locator('th.col-waiting').count(), 0, 'a dump without wait times has no waiting column');
  assert.equal(await page.locator('th.col-where').count(), 1);
  await page.context().close();
});

test('search: an invalid regex says so; key=value finds labels; label totals narrow the table', async () => {
  const page = await openPage(browser, server);
  await load(page, [labelled], 'debug1');
  await page.locator('[data-testid="view-groups"]').click();
  const search = page.locator('[data-testid="search"]');
  await search.fill('/(/');
  const error = page.locator('[data-testid="search-error"]');
  await error.waitFor();
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.match(await error.innerText(), /\S/);

  await search.fill('tenant=initech');
  await page.waitForFunction(() => document.querySelector('[data-testid="group-count"]')?.textContent === '1');
  const labels = await page.locator('[data-testid="group-row"] .label-chip').allInnerTexts();
  assert.ok(labels.includes('tenant=initech'), labels.join(', '));
  await search.fill('');

  const explain = await page.locator('[data-testid="similarity-explain"]').innerText();
  assert.match(explain, /same functions/);
  await page.locator('[data-testid="similarity"]').selectOption('any-value');
  await page.waitForFunction(() => /arguments ignored/.test(document.querySelector('[data-testid="similarity-explain"]').textContent));

  await page.locator('[data-testid="group-by"]').selectOption('tenant');
  const totals = page.locator('[data-testid="label-total"]');
  await totals.first().waitFor();
  const items = await totals.allInnerTexts();
  assert.ok(items.some((t) => /tenant=acme\s+\d/.test(t)), items.join(' | '));
  const acme = totals.filter({ hasText: 'tenant=acme' });
  const n = Number((await acme.locator('strong').innerText()).replace(/,/g, ''));
  await acme.click();
  await page.locator('[data-testid="focus"]', { hasText: 'tenant=acme' }).waitFor();
  await page.waitForFunction((want) => document.querySelector('[data-testid="group-sum"]')?.textContent.replace(/,/g, '') === String(want), n);
  await page.context().close();
});
