// Service worker for the listening capture form (served by the /listening/sw.js view, which puts
// CONFIG in front of this file: the cache version, the capture page and its assets).
// The capture page is fetched from the network when there is one, and from the cache when not; its
// scripts and styles come from the cache. Nothing else is cached: conversations wait in IndexedDB,
// never in the HTTP cache, and API requests always go to the network.
/* global CONFIG */
"use strict";
var CACHE = "listening-" + CONFIG.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll([CONFIG.capture].concat(CONFIG.assets)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key.indexOf("listening-") === 0 && key !== CACHE; })
          .map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function refreshCapturePage() {
  // A clean copy (without one-off messages such as "saved") for the next time there is no signal.
  return caches.open(CACHE).then(function (cache) { return cache.add(CONFIG.capture); }).catch(function () {});
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === CONFIG.capture) {
    event.respondWith(
      fetch(request)
        .then(function (response) {
          if (response.ok && !response.redirected) { event.waitUntil(refreshCapturePage()); }
          return response;
        })
        .catch(function () {
          return caches.match(CONFIG.capture, { ignoreSearch: true }).then(function (cached) {
            return cached || Response.error();
          });
        })
    );
    return;
  }
  if (CONFIG.assets.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (cached) { return cached || fetch(request); }));
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/listening/") === 0) {
    event.respondWith(fetch(request).catch(function () { return caches.match(CONFIG.capture); }));
  }
});
