// Starts the field app: the service worker (offline starts), persistent storage (so
// the browser keeps the outbox under pressure), then the app itself.
import init from './zaofaxian_app.js';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js', { scope: './' }).catch((e) => console.warn('service worker', e));
}
if (navigator.storage && navigator.storage.persist) {
  navigator.storage.persist().then((granted) => { window.zaofaxianPersisted = granted; });
}
init().then(
  () => document.getElementById('boot').remove(),
  (e) => { document.getElementById('boot').textContent = '无法启动应用 / the app could not start: ' + e; });
