// The flame graph and the top table (issue 16): zoom by click and keyboard, reset, search and
// its share, labels cut at a word with "…", colours by wait state, the sample-type picker, and
// the top table's units, percentages and sorting. Screenshots at 1400 px, light and dark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, openPage, screenshot, cliReport, fixtures, dropFiles, root } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));

const cpu = join(fixtures, 'go1.27', 'service.cpu.pb.gz');
const heap = join(fixtures, 'go1.27', 'service.heap.pb.gz');
const sample = join(root, 'www', 'samples', 'service.s3.goroutine.debug2.txt');

async function open(scheme = 'light') {
  const page = await openPage(browser, server, { colorScheme: scheme });
  await page.setViewportSize({ width: 1400, height: 900 });
  return page;
}

async function load(page, file, name) {
  await dropFiles(page, [file]);
  await page.locator('.snapshot.active', { hasText: name }).waitFor();
}

async function showFlame(page) {
  await page.locator('[data-testid="view-flame"]').click();
  await page.locator('[data-testid="flame-graph"] g.flame-node').first().waitFor();
}

/** The short name the page labels a frame with (gofunc::short_name). */
function shortName(func) {
  const pathEnd = func.includes('.(') ? func.indexOf('.(') : func.length;
  const slash = func.slice(0, pathEnd).lastIndexOf('/');
  return slash >= 0 ? func.slice(slash + 1) : func;
}

/** Share of the root the topmost matching nodes of a preorder flame list hold, in percent. */
function expectedShare(flame, matches) {
  let inside = null;
  let sum = 0;
  for (const n of flame.slice(1)) {
    if (inside !== null && n.depth <= inside) inside = null;
    if (inside === null && matches(n.func)) {
      inside = n.depth;
      sum += n.value;
    }
  }
  return (sum * 100) / flame[0].value;
}

/** Every drawn label: the whole short name, or a prefix of it followed by "…". */
async function checkLabels(page) {
  const labels = await page.locator('g.flame-node').evaluateAll((gs) =>
    gs.map((g) => [g.dataset.func, g.querySelector('text').textContent]));
  let cut = 0;
  for (const [func, label] of labels) {
    if (label === '') continue;
    const short = shortName(func);
    if (label === short) continue;
    cut += 1;
    assert.ok(label.endsWith('…'), `label ${JSON.stringify(label)} of ${func} is cut without "…"`);
    assert.ok(short.startsWith(label.slice(0, -1)), `label ${JSON.stringify(label)} is no prefix of ${short}`);
    // Whole words only: a screen reader's name (the aria-label) then holds every word shown.
    assert.match(label, /[./()*_\-\[\] ]…$/, `label ${JSON.stringify(label)} is cut mid-word`);
  }
  return { labels: labels.filter(([, l]) => l !== '').length, cut };
}

/** A value as the page prints it (`1.5MiB`, `260ms`, `1,234`) back to a number. */
function parseValue(text) {
  const m = text.replace(/,/g, '').match(/^(-?[\d.]+)\s*(GiB|MiB|KiB|B|s|ms|µs|ns)?$/);
  assert.ok(m, `unreadable value ${text}`);
  const scale = { GiB: 2 ** 30, MiB: 2 ** 20, KiB: 1024, B: 1, s: 1e9, ms: 1e6, 'µs': 1e3, ns: 1 }[m[2]] ?? 1;
  return Number(m[1]) * scale;
}

async function topRows(page) {
  return page.locator('[data-testid="top-row"]').evaluateAll((trs) => trs.map((tr) => {
    const cell = (id) => tr.querySelector(`[data-testid="${id}"]`).textContent;
    return { flat: cell('top-flat'), flatPct: cell('top-flat-pct'), sumPct: cell('top-sum-pct'), cum: cell('top-cum'), cumPct: cell('top-cum-pct'),
      where: tr.querySelector('.where').textContent };
  }));
}

test('a CPU profile: zoom by click, keyboard and reset; search and its share; the picker; labels', async () => {
  const page = await open();
  await load(page, cpu, 'service.cpu');
  await showFlame(page);
  const report = cliReport(cpu);
  const rootValue = () => page.locator('g.flame-node[data-func="all"]').getAttribute('data-value');
  assert.equal(await rootValue(), String(report.totals['cpu/nanoseconds']));
  const before = await checkLabels(page);
  assert.ok(before.labels > 5, 'frames are labelled');
  assert.ok(before.cut > 0, 'some labels are cut');

  // Click a frame narrower than the graph: it fills the width, its callers stay above.
  const narrow = await page.locator('g.flame-node').evaluateAll((gs) => {
    const g = gs.find((g) => Number(g.querySelector('rect').getAttribute('width')) < 600 && Number(g.querySelector('rect').getAttribute('y')) > 20);
    return g.dataset.func;
  });
  const frame = page.locator(`g.flame-node[data-func="${narrow}"]`).first();
  await frame.click();
  await page.locator('[data-testid="flame-reset"]').waitFor();
  await page.locator('g.flame-node.zoomed').waitFor();
  assert.equal(await page.locator('g.flame-node.zoomed').getAttribute('data-func'), narrow);
  assert.ok(Number(await page.locator('g.flame-node.zoomed rect').getAttribute('width')) > 1199);
  assert.ok(await page.locator('g.flame-node.ancestor').count() >= 1, 'the callers stay above');
  const zoomedLabels = await checkLabels(page);
  assert.ok(zoomedLabels.labels > 0);
  await screenshot(page, 'flame-cpu-zoomed-light.png');
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="flame-reset"]').waitFor({ state: 'detached' });
  // Escape undid the zoom and stayed in the flame view.
  await page.locator('[data-testid="flame-graph"]').waitFor();

  // The keyboard: a frame takes focus, Enter zooms, the reset button resets.
  await page.locator(`g.flame-node[data-func="${narrow}"]`).first().focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="flame-reset"]').waitFor();
  await page.locator('[data-testid="flame-reset"]').click();
  await page.locator('[data-testid="flame-reset"]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('g.flame-node.ancestor').count(), 0);

  // Search: the frames that match are highlighted, the others dimmed, and the share is told.
  await page.locator('[data-testid="flame-search"]').fill('json');
  await page.locator('[data-testid="flame-share"]').waitFor();
  const share = expectedShare(report.flame, (f) => f.toLowerCase().includes('json'));
  const text = await page.locator('[data-testid="flame-share"]').textContent();
  assert.match(text, /^matches [\d.]+% of cpu/);
  assert.ok(Math.abs(Number(text.match(/([\d.]+)%/)[1]) - share) <= 0.51, `${text} against ${share}`);
  const matched = await page.locator('g.flame-node.match').evaluateAll((gs) => gs.map((g) => g.dataset.func));
  assert.ok(matched.length > 0 && matched.every((f) => f.toLowerCase().includes('json')));
  assert.ok(await page.locator('g.flame-node.dim').count() > 0);
  await page.locator('[data-testid="flame-search"]').fill('/^runtime\\.(mallocgc|gcBgMarkWorker)$/');
  await page.locator('[data-testid="flame-share"]', { hasText: /matches/ }).waitFor();
  const re = /^runtime\.(mallocgc|gcBgMarkWorker)$/i;
  const reShare = expectedShare(report.flame, (f) => re.test(f));
  await page.waitForFunction((want) => {
    const t = document.querySelector('[data-testid="flame-share"]')?.textContent ?? '';
    const m = t.match(/([\d.]+)%/);
    return m && Math.abs(Number(m[1]) - want) <= 0.51;
  }, reShare);
  await page.locator('[data-testid="flame-search"]').fill('/(/');
  await page.locator('[data-testid="flame-search-error"]').waitFor();
  await page.locator('[data-testid="flame-search"]').fill('');
  await page.locator('[data-testid="flame-share"]').waitFor({ state: 'detached' });

  // The picker: the flame weighs samples instead of nanoseconds.
  await page.locator('[data-testid="sample-type"]').selectOption('samples');
  await page.waitForFunction((want) => document.querySelector('g.flame-node[data-func="all"]')?.dataset.value === want, String(report.totals['samples/count']));
  await checkLabels(page);
  await page.locator('[data-testid="view-summary"]').click();
  await page.locator('[data-testid="top-table"]').waitFor();
  assert.match(await page.locator('[data-testid="top"] h2').textContent(), /Top functions by samples/);
  assert.equal(await page.locator('[data-testid="sample-type"]').inputValue(), 'samples');
  const rows = await topRows(page);
  assert.ok(rows.every((r) => /^[\d,]+$/.test(r.flat)), 'samples are counts');
  await page.locator('[data-testid="sample-type"]').selectOption('cpu');
  await page.locator('[data-testid="top"] h2', { hasText: 'Top functions by cpu' }).waitFor();
  const cpuRows = await topRows(page);
  assert.ok(cpuRows.some((r) => /ms$|s$/.test(r.flat)), 'nanoseconds read as ms or s');
  await page.context().close();
});

for (const scheme of ['light', 'dark']) {
  test(`a heap profile's top table: units, percentages, file:line, sorting, the picker, ${scheme}`, async () => {
    const page = await open(scheme);
    await load(page, heap, 'service.heap');
    await page.locator('[data-testid="top-table"]').waitFor();
    const report = cliReport(heap);
    assert.match(await page.locator('[data-testid="top"] h2').textContent(), /Top functions by inuse_space/);
    const total = report.totals['inuse_space/bytes'];
    let rows = await topRows(page);
    assert.ok(rows.length > 3);
    let running = 0;
    for (const r of rows) {
      assert.match(r.flat, /^[\d.]+(GiB|MiB|KiB|B)$/);
      const flat = parseValue(r.flat);
      running += flat;
      // The printed value is rounded to two decimals of its unit.
      assert.ok(Math.abs(Number(r.flatPct.replace('%', '')) - (flat * 100) / total) <= 0.6, `${r.flat} is ${r.flatPct} of ${total}`);
      assert.ok(Math.abs(Number(r.sumPct.replace('%', '')) - (running * 100) / total) <= 0.6, `sum% ${r.sumPct}`);
      assert.ok(Math.abs(Number(r.cumPct.replace('%', '')) - (parseValue(r.cum) * 100) / total) <= 0.6, `cum% ${r.cumPct}`);
    }
    // sum% of the last row is its running sum of flat%.
    const flatPcts = rows.map((r) => Number(r.flatPct.replace('%', '')));
    const last = Number(rows.at(-1).sumPct.replace('%', ''));
    assert.ok(Math.abs(last - flatPcts.reduce((a, b) => a + b, 0)) <= 0.01 * rows.length + 0.01, `${last} against the sum of flat%`);
    assert.ok(rows.some((r) => /\.go:\d+$/.test(r.where)), 'file:line shown');
    const byFlat = rows.map((r) => parseValue(r.flat));
    assert.deepEqual(byFlat, [...byFlat].sort((a, b) => b - a));
    await page.locator('[data-testid="top-table"]').scrollIntoViewIfNeeded();
    await screenshot(page, `top-heap-${scheme}.png`);

    await page.locator('[data-testid="top-sort-cum"]').click();
    await page.locator('th[aria-sort="descending"] [data-testid="top-sort-cum"]').waitFor();
    rows = await topRows(page);
    const byCum = rows.map((r) => parseValue(r.cum));
    assert.deepEqual(byCum, [...byCum].sort((a, b) => b - a));
    assert.ok(rows.some((r) => Number(r.flat.replace(/[^\d.]/g, '')) === 0), 'callers without flat value are listed by cum');
    await page.locator('[data-testid="top-sort-flat"]').click();
    await page.locator('th[aria-sort="descending"] [data-testid="top-sort-flat"]').waitFor();

    // The picker: allocations in objects, counted.
    await page.locator('[data-testid="sample-type"]').selectOption('alloc_objects');
    await page.locator('[data-testid="top"] h2', { hasText: 'Top functions by alloc_objects' }).waitFor();
    rows = await topRows(page);
    assert.ok(rows.every((r) => /^[\d,]+$/.test(r.flat)), 'objects are counts');
    const objects = report.top['alloc_objects/count'].slice(0, rows.length).map((t) => t.flat);
    assert.deepEqual(rows.map((r) => parseValue(r.flat)), objects);
    await showFlame(page);
    await page.waitForFunction((want) => document.querySelector('g.flame-node[data-func="all"]')?.dataset.value === want, String(report.totals['alloc_objects/count']));
    assert.equal(await page.locator('[data-testid="sample-type"]').inputValue(), 'alloc_objects');
    await checkLabels(page);
    await screenshot(page, `flame-heap-${scheme}.png`);
    await page.context().close();
  });

  test(`the sample goroutine dump's flame: colours by wait state, search by goroutines, ${scheme}`, async () => {
    const page = await open(scheme);
    await page.locator('[data-testid="try-sample"]').click();
    await page.locator('.snapshot.active', { hasText: 'service at 152 s' }).waitFor();
    await showFlame(page);
    const families = await page.locator('g.flame-node').evaluateAll((gs) =>
      [...new Set(gs.map((g) => [...g.classList].find((c) => c.startsWith('family-'))))]);
    assert.ok(families.every(Boolean), 'every frame has a wait-state colour');
    assert.ok(families.length >= 3, `several wait states: ${families}`);
    assert.equal(await page.locator('[data-testid="sample-type"]').count(), 0, 'a goroutine dump has one sample type');
    const report = cliReport(sample);
    await page.locator('[data-testid="flame-search"]').fill('queryBackend');
    const share = expectedShare(report.flame, (f) => f.toLowerCase().includes('querybackend'));
    await page.locator('[data-testid="flame-share"]', { hasText: `matches ${Math.round(share)}% of goroutines` }).waitFor();
    await checkLabels(page);
    await screenshot(page, `flame-goroutines-search-${scheme}.png`);
    // Escape clears the zoom first, then the search, and only then leaves the view.
    await page.locator('g.flame-node.match').first().click();
    await page.locator('[data-testid="flame-reset"]').waitFor();
    await screenshot(page, `flame-goroutines-zoomed-${scheme}.png`);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="flame-reset"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid="flame-share"]').waitFor();
    await page.locator('[data-testid="flame-search"]').focus();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="flame-share"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid="flame-graph"]').waitFor();
    await page.context().close();
  });
}
