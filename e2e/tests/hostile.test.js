// Hostile input and a locked-down page: a hostile link opened in a page that holds the user's
// dumps leaves them there and usable; the engine's worker dying mid-session is survived; once
// loaded, neither the page nor its worker can send a request; a catastrophic /regex/ in a
// link's view does not freeze the page; long tables are paged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { useSite, openPage, dropFiles, fixtures, root, screenshot } from '../lib/harness.js';

let server, browser;
useSite((site) => ({ server, browser } = site));

const bin = join(root, 'target', 'release', 'parkview');
const S3 = join(fixtures, 'go1.27', 'service.s3.goroutine.debug2.txt');

/** The JSON a share link holds, for a fixture (made by the CLI). */
function sharedJson(file) {
  const fragment = execFileSync(bin, ['share', file]).toString().trim();
  return JSON.parse(inflateRawSync(Buffer.from(fragment.slice('#v1.'.length), 'base64url')).toString());
}

function fragmentOf(json) {
  return '#v1.' + deflateRawSync(Buffer.from(JSON.stringify(json))).toString('base64url');
}

async function loadTwo(page) {
  await dropFiles(page, [S3]);
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text', 'goroutine 1 [chan receive]:\nmain.main()\n\t/src/main.go:7 +0x1\n');
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await page.locator('.snapshot.active', { hasText: 'pasted text' }).waitFor();
  assert.equal(await page.locator('[data-testid="snapshot"]').count(), 2);
}

/** The dump is there and answers: its total, its groups, and a regroup the engine must make. */
async function stillUsable(page) {
  await page.locator('[data-testid="view-summary"]').click();
  await page.locator('[data-testid="snapshot"] button.name', { hasText: 'service.s3' }).click();
  await page.locator('[data-testid="total-goroutines"]', { hasText: '112' }).waitFor();
  await page.locator('[data-testid="view-groups"]').click();
  await page.locator('[data-testid="group-row"]').first().waitFor();
  const before = await page.locator('[data-testid="group-count"]').textContent();
  await page.locator('[data-testid="similarity"]').selectOption('exact');
  await page.waitForFunction((n) => document.querySelector('[data-testid="group-count"]')?.textContent !== n, before);
  await page.locator('[data-testid="similarity"]').selectOption('any-value');
  await page.locator('[data-testid="group-count"]', { hasText: before }).waitFor();
  await page.locator('[data-testid="view-summary"]').click();
}

test('a hostile link opened in a page that holds dumps leaves them there and usable', async () => {
  const page = await openPage(browser, server);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await loadTwo(page);
  // One stack of 200,000 frames: 986 characters of link that overflowed the stack.
  const deep = sharedJson(join(fixtures, 'crash', 'deadlock.txt'));
  deep.snapshots[0].decoded.profile.stacks[0] = new Array(200000).fill(0);
  const hostile = fragmentOf(deep);
  assert.ok(hostile.length < 4000, `${hostile.length} characters`);
  // Pasted into the address bar of the open page: only the fragment changes.
  await page.evaluate((h) => { location.hash = h; }, hostile);
  const error = page.locator('[data-testid="error"]', { hasText: 'shared link' });
  await error.waitFor();
  assert.match(await error.textContent(), /MAX_FRAMES/);
  assert.equal(await page.locator('[data-testid="snapshot"]').count(), 2);
  await stillUsable(page);
  // The failed link is not kept in the address: a reload does not try it again.
  await page.waitForFunction(() => !location.hash.includes('v1.'));
  await screenshot(page, 'hostile-link-refused.png');
  await page.reload();
  await page.locator('[data-testid="file-input"]').waitFor({ state: 'attached' });
  await page.waitForFunction(() => document.documentElement.dataset.engineReady === 'true');
  assert.equal(await page.locator('[data-testid="error"]').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the engine dying mid-session is restarted and every snapshot read again', async () => {
  const page = await openPage(browser, server);
  await loadTwo(page);
  await page.locator('[data-testid="view-groups"]').click();
  const rowsBefore = await page.locator('[data-testid="group-count"]').textContent();
  // A fault in the worker, from outside: an error nothing catches, as a trap raises one.
  const [worker] = page.workers();
  await worker.evaluate(() => setTimeout(() => { throw new Error('injected fault'); }, 0));
  const notice = page.locator('[data-testid="notice"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /stopped \(.*injected fault\).*restarted/);
  await screenshot(page, 'engine-restarted.png');
  assert.equal(await page.locator('[data-testid="snapshot"]').count(), 2);
  await page.locator('[data-testid="group-count"]', { hasText: rowsBefore }).waitFor();
  // The new worker holds both snapshots: it regroups them and compares them.
  await stillUsable(page);
  await page.locator('[data-testid="view-diff"]').click();
  await page.locator('[data-testid="diff-row"]').first().waitFor();
  await page.context().close();
});

test('once loaded, neither the page nor its worker can send a request', async () => {
  const page = await openPage(browser, server);
  await page.waitForFunction(() => document.documentElement.dataset.lockedDown === 'true');
  await dropFiles(page, [S3]);
  await page.locator('.snapshot.active', { hasText: 'service.s3' }).waitFor();
  const before = server.requests.length;
  const attempts = ({ origin, where }) => {
    // Every way a script sends a request; each settles once the browser has refused it.
    const settle = (start) => new Promise((done) => {
      try {
        start(() => done('refused'), () => done('sent'));
      } catch (e) {
        done(`refused: ${e.name}`);
      }
    });
    const url = `${origin}/some/sub/path/leak-${where}`;
    return Promise.all([
      settle((refused, sent) => fetch(`${url}-fetch`).then(sent, refused)),
      settle((refused, sent) => {
        const x = new XMLHttpRequest();
        x.open('GET', `${url}-xhr`);
        x.onload = sent;
        x.onerror = refused;
        x.send();
      }),
      settle((refused, sent) => {
        const ws = new WebSocket(`${origin.replace('http', 'ws')}/some/sub/path/leak-${where}-ws`);
        ws.onopen = sent;
        ws.onerror = refused;
      }),
      settle((refused, sent) => {
        importScripts(`${url}-importScripts.js`);
        sent();
      }),
      settle((refused, sent) => {
        const img = new Image();
        img.onload = sent;
        img.onerror = refused;
        img.src = `${url}-image.png`;
      }),
    ]);
  };
  const inPage = await page.evaluate(attempts, { origin: server.origin, where: 'page' });
  const [worker] = page.workers();
  const inWorker = await worker.evaluate(attempts, { origin: server.origin, where: 'worker' });
  console.log(`# page: ${inPage.join(', ')}; worker: ${inWorker.join(', ')}`);
  for (const outcome of [...inPage, ...inWorker]) assert.match(outcome, /^refused/);
  // The server saw none of them (and nothing else).
  assert.deepEqual(server.requests.slice(before), []);
  await page.context().close();
});

test("a link's view with a catastrophic /regex/ search does not freeze the page", async () => {
  // `(x+x+)+y` takes exponential time in a backtracking engine on a long run of x; the second
  // branch matches one of the two groups.
  const search = '/(x+x+)+y|main\\.y$/';
  const view = encodeURIComponent(JSON.stringify({ view: 'groups', search }));
  const page = await openPage(browser, server);
  await page.goto(`${server.url}#view=${view}`);
  await page.locator('[data-testid="file-input"]').waitFor({ state: 'attached' });
  const name = `main.${'x'.repeat(3000)}`;
  const dump = `goroutine 1 [select]:\n${name}()\n\t/src/x.go:1 +0x1\n\ngoroutine 2 [select]:\nmain.y()\n\t/src/y.go:1 +0x1\n`;
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData('text', text);
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, dump);
  await page.locator('[data-testid="search"]').waitFor();
  assert.equal(await page.locator('[data-testid="search"]').inputValue(), search);
  await page.locator('[data-testid="group-count"]', { hasText: '1' }).waitFor();
  await page.context().close();
});

test('long tables are paged', async () => {
  // 450 goroutines, each started by its own creator site.
  let dump = '';
  for (let i = 1; i <= 450; i++) {
    dump += `goroutine ${i + 1} [chan receive]:\nmain.worker()\n\t/src/w.go:9 +0x1\ncreated by main.start${i} in goroutine 1\n\t/src/s.go:${i} +0x1\n\n`;
  }
  const page = await openPage(browser, server);
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData('text', text);
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, dump);
  await page.locator('[data-testid="total-goroutines"]', { hasText: '450' }).waitFor();
  await page.locator('[data-testid="view-creators"]').click();
  await page.locator('[data-testid="creator-row"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="creator-row"]').count(), 200);
  await page.locator('[data-testid="more-rows"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="creator-row"]').length === 400);
  await page.locator('[data-testid="more-rows"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="creator-row"]').length === 450);
  assert.equal(await page.locator('[data-testid="more-rows"]').count(), 0);
  await page.context().close();
});
