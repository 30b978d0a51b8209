// The in-browser benchmark: hands files to the page (release build served on 127.0.0.1) and
// records, per file, the time from the file handed over until the summary is rendered and until
// the groups table shows, the longest main-thread task meanwhile, and the peak memory of the
// page's renderer process (page and worker). Beside it, `wc -l` of the same file.
//
// node e2e/bench/browser.js [--runs N] [--out FILE] FILE... [--diff BASE NEW]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { serve, launch } from '../lib/harness.js';

const args = process.argv.slice(2);
let runs = 5;
let out = null;
const files = [];
const diffs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--out') out = args[++i];
  else if (args[i] === '--diff') diffs.push([args[++i], args[++i]]);
  else files.push(args[i]);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (xs, unit = 'ms') => `${median(xs).toFixed(0)} ${unit} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

/** Resident memory (KiB) of each Chromium renderer process, by pid, read from /proc (no
 * process is spawned per sample: that would take CPU from the page being measured). */
function rendererRss() {
  const byPid = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      byPid.set(pid, rss ? Number(rss[1]) : 0);
    } catch { /* the process ended meanwhile */ }
  }
  return byPid;
}

/** Peak resident memory (MiB) of the page's renderer process while `work` runs. A dedicated
 * worker lives in its page's process, so this is page plus worker. Chromium keeps other
 * renderers too (a spare one, the first blank tab); the page's is the one that grows. */
async function peakRss(work) {
  const first = rendererRss();
  const peaks = new Map(first);
  const sample = () => {
    for (const [pid, kb] of rendererRss()) peaks.set(pid, Math.max(peaks.get(pid) || 0, kb));
  };
  const timer = setInterval(sample, 50);
  try {
    const result = await work();
    sample();
    let page = null;
    for (const [pid, kb] of peaks) {
      const growth = kb - (first.get(pid) || 0);
      if (page === null || growth > page.growth) page = { growth, kb };
    }
    return [result, (page ? page.kb : 0) / 1024];
  } finally {
    clearInterval(timer);
  }
}

function wcLines(file) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    execFileSync('wc', ['-l', file]);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times;
}

async function preparedPage(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url);
  // As a user would: the file comes once the page has loaded and its engine has started.
  await page.waitForFunction(() => document.documentElement.dataset.lockedDown === 'true' && document.documentElement.dataset.engineReady === 'true');
  await page.evaluate(() => {
    window.bench = { longest: 0, handed: null, summary: null };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (window.bench.handed !== null) window.bench.longest = Math.max(window.bench.longest, e.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
    document.addEventListener('change', () => { window.bench.handed = performance.now(); }, true);
    new MutationObserver(() => {
      if (window.bench.summary === null && document.querySelector('[data-testid="format"]')) window.bench.summary = performance.now();
    }).observe(document.body, { childList: true, subtree: true });
  });
  return page;
}

async function measureFile(browser, server, file) {
  const page = await preparedPage(browser, server);
  const [result, peak] = await peakRss(async () => {
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    await page.locator('[data-testid="format"]').waitFor({ timeout: 600000 });
    const total = await page.locator('[data-testid="total-goroutines"]').textContent().catch(() => '-');
    const hasGroups = await page.locator('[data-testid="view-groups"]').count();
    let groups = null;
    if (hasGroups) {
      await page.locator('[data-testid="view-groups"]').click();
      await page.locator('[data-testid="group-row"]').first().waitFor({ timeout: 600000 }).catch(() => {});
      groups = await page.evaluate(() => performance.now());
    }
    const b = await page.evaluate(() => window.bench);
    return { summary: b.summary - b.handed, groups: groups === null ? null : groups - b.handed, longest: b.longest, total };
  });
  await page.context().close();
  return { ...result, peak };
}

async function measureDiff(browser, server, base, next) {
  const page = await preparedPage(browser, server);
  await page.locator('[data-testid="file-input"]').setInputFiles([base, next]);
  await page.locator('[data-testid="snapshot"]').nth(1).waitFor({ timeout: 600000 });
  const t0 = await page.evaluate(() => performance.now());
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('[data-testid="diff-row"]').first().waitFor({ timeout: 600000 });
  const t1 = await page.evaluate(() => performance.now());
  await page.context().close();
  return t1 - t0;
}

const server = await serve();
const browser = await launch();
const rows = [];
try {
  for (const file of files) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await measureFile(browser, server, file));
    const bytes = statSync(file).size;
    const size = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
    rows.push(`| ${file.split('/').pop()} | ${size} | ${results[0].total} | ${fmt(results.map((r) => r.summary))} | ${results[0].groups === null ? '–' : fmt(results.map((r) => r.groups))} | ${fmt(results.map((r) => r.longest))} | ${fmt(results.map((r) => r.peak), 'MiB')} | ${fmt(wcLines(file))} |`);
    console.error(rows[rows.length - 1]);
  }
  for (const [base, next] of diffs) {
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await measureDiff(browser, server, base, next));
    rows.push(`| diff ${base.split('/').pop()} → ${next.split('/').pop()} | | | diff shown after clicking its tab: ${fmt(times)} | | | | |`);
    console.error(rows[rows.length - 1]);
  }
} finally {
  await browser.close();
  await server.close();
}
const table = [
  `| input | size | goroutines | file handed → summary rendered | → groups table shown | longest main-thread task | peak renderer memory | \`wc -l\` (yardstick) |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows,
].join('\n');
if (out) writeFileSync(out, table + '\n');
console.log(table);
