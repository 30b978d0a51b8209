// Starts the app without an inline script (the page's Content-Security-Policy forbids those).
const boot = document.getElementById('parkview-boot');
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
// The app and its worker are loaded: from now on nothing on this page may send data anywhere.
// Policies add up, so this second one only tightens the first.
const lockdown = document.createElement('meta');
lockdown.httpEquiv = 'Content-Security-Policy';
lockdown.content = "connect-src 'none'";
document.head.appendChild(lockdown);
document.documentElement.dataset.lockedDown = 'true';
