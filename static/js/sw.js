/* Inspect service worker: served at /sw.js so it controls the whole app.
 * Keeps the app shell (versioned CSS/JS/icons), the capture pages and the user's reference
 * lists, so the phone opens the visit form with no network. Pages and data: network first,
 * the kept copy when offline. Versioned static files: from the cache. The API's writes are
 * never touched here: the page's send queue (offline.js) does those. */
"use strict";
var SHELL = "inspect-shell-";
var PAGES = "inspect-pages";

function config() {
  return fetch("/sw-config.json", { credentials: "same-origin", cache: "no-store" }).then(function (r) { return r.json(); });
}

/* Keep what can be kept; one missing page (e.g. not logged in) must not fail the install. */
function keep(cacheName, urls) {
  return caches.open(cacheName).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url, response);
      }).catch(function () { /* offline now: kept on the next visit */ });
    }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(config().then(function (c) {
    return Promise.all([
      caches.open(SHELL + c.version).then(function (cache) { return cache.addAll(c.assets); }),
      keep(PAGES, c.pages.concat(c.data))
    ]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(config().then(function (c) {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(SHELL) === 0 && n !== SHELL + c.version; })
        .map(function (n) { return caches.delete(n); }));
    });
  }).catch(function () {}).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data === "refresh") {
    event.waitUntil(config().then(function (c) { return keep(PAGES, c.pages.concat(c.data)); }).catch(function () {}));
  }
});

function networkFirst(request, fallbackUrl) {
  return fetch(request).then(function (response) {
    var url = new URL(request.url);
    var keepIt = response.ok && !response.redirected && request.method === "GET" && !url.search;
    if (keepIt) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request, { ignoreSearch: true }).then(function (hit) {
        return hit || (fallbackUrl ? cache.match(fallbackUrl) : undefined);
      });
    }).then(function (hit) {
      return hit || new Response("离线：这个页面还没有保存在手机上。", {
        status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok && url.search) {  // a versioned file the shell did not list
          var copy = response.clone();
          caches.open(SHELL + "runtime").then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, "/"));
  } else if (url.pathname === "/api/v1/reference" || url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request));
  }
});
