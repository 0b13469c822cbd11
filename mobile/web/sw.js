// The app's files for offline starts. scripts/build-web.sh fills in the build's
// version and file list; a new build installs beside the old one and takes over
// only once every file is cached. The API is never cached (the server says no-store).
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = 'zaofaxian-app-' + VERSION;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('zaofaxian-app-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith(new URL('./', self.location).pathname)) {
    return;
  }
  // The page (with or without ?village=…) and the bundle: from the cache when there,
  // else from the network.
  e.respondWith(caches.open(CACHE).then(async (c) => {
    const hit = await c.match(e.request, { ignoreSearch: e.request.mode === 'navigate' });
    return hit || fetch(e.request);
  }));
});
