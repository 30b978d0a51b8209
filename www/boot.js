// Starts the app without an inline script (the page's Content-Security-Policy forbids those),
// then locks the page down. Everything the page will ever run is fetched first: the app's
// script and module, and the worker's script and module, from which every worker is made as a
// blob: URL (see web/src/agent.rs). Then a second policy forbids every request; a worker
// started from a blob: URL takes the page's policies, so the workers are locked down too, and
// one started again after a crash needs no request.
const boot = document.getElementById('parkview-boot');

async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

async function text(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

function fail(message) {
  const note = document.createElement('p');
  note.className = 'fatal';
  note.setAttribute('role', 'alert');
  note.textContent = `parkview could not start: ${message}`;
  document.body.prepend(note);
}

try {
  const [{ default: init }, appModule, workerModule, workerScript] = await Promise.all([
    import(boot.dataset.js),
    compile(boot.dataset.wasm),
    compile('./worker_bg.wasm'),
    text('./worker.js'),
  ]);
  // A worker's first message is its module; it instantiates it and starts (no request).
  const start = '\nself.onmessage = (event) => { self.onmessage = null; wasm_bindgen({ module_or_path: event.data }); };\n';
  window.parkviewWorker = {
    url: URL.createObjectURL(new Blob([workerScript, start], { type: 'text/javascript' })),
    module: workerModule,
  };
  // Policies add up, so this second one only tightens the first: no request of any kind, no
  // script but the workers' blob: and the modules compiled above (images only as data: URLs,
  // which the icon is: they make no request).
  const lockdown = document.createElement('meta');
  lockdown.httpEquiv = 'Content-Security-Policy';
  lockdown.content = "connect-src 'none'; img-src data:; media-src 'none'; font-src 'none'; style-src 'none'; "
    + "frame-src 'none'; object-src 'none'; script-src blob: 'wasm-unsafe-eval'; worker-src blob:";
  document.head.appendChild(lockdown);
  document.documentElement.dataset.lockedDown = 'true';
  await init({ module_or_path: appModule });
} catch (e) {
  fail(e && e.message ? e.message : String(e));
}
