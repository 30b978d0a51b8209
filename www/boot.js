// Starts the app without an inline script (the page's Content-Security-Policy forbids those).
const boot = document.getElementById('parkview-boot');
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
