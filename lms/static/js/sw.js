// Pelita's service worker: the app shell, and the courses a learner saved for reading offline.
// Served by the app at /sw.js (lms/offline/views.py), which puts one line before this file:
//   self.PELITA = {shell: "pelita-shell-<hash>", urls: [...the shell...], fallback: "/offline"};
// so the worker changes (and is updated by the browser) whenever the shell does.
//
// What it keeps (docs/offline.md, "Reading offline"):
// - the shell cache: CSS, scripts, icons, the "you are offline" page and the saved-courses page;
// - one cache per saved course ("pelita-course-<user>-<slug>"), filled by lms/static/js/offline.js
//   from /courses/<slug>/offline.json: the course page, its module pages and media.
// What it never keeps: any other page. Quiz attempts, answers, certificates, the profile,
// reports and administration are always fetched from the network; when that fails the learner
// sees the offline page, never an old copy.
//
// Strategies: pages network-first (online users always get the fresh page; a saved copy is
// refreshed on the way), versioned static files and course media cache-first (their URLs change
// when their content does). A page served to a signed-out browser (header Pelita-Session: none)
// deletes every saved course: after logout a shared computer shows nobody's courses.
/* global self, caches, fetch, Response, URL */
"use strict";

var CONFIG = self.PELITA || { shell: "pelita-shell", urls: [], fallback: "/offline" };
var COURSE_PREFIX = "pelita-course-";
var SAVED_PAGE = /^\/courses\/[^/]+(\/modules\/[^/]+)?$/;      // course and module pages only
var MEDIA = /^\/courses\/[^/]+\/v\d+\/media\//;                   // immutable, versioned media

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CONFIG.shell).then(function (cache) {
    // One by one, without cookies' help being needed: the shell pages show nothing personal.
    return Promise.all(CONFIG.urls.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(url, response); }
        return undefined;
      });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("pelita-shell") === 0 && name !== CONFIG.shell;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function courseCaches() {
  return caches.keys().then(function (names) {
    return names.filter(function (name) { return name.indexOf(COURSE_PREFIX) === 0; });
  });
}

function forgetCourses() {
  return courseCaches().then(function (names) {
    return Promise.all(names.map(function (name) { return caches.delete(name); }));
  });
}

// A fresh copy of a saved page replaces the one kept (only where the page is saved already).
function refreshSaved(url, response) {
  return courseCaches().then(function (names) {
    return Promise.all(names.map(function (name) {
      return caches.open(name).then(function (cache) {
        return cache.match(url, { ignoreVary: true }).then(function (old) {
          return old ? cache.put(url, response.clone()) : undefined;
        });
      });
    }));
  });
}

function fromCaches(url) {
  return caches.match(url, { ignoreVary: true, ignoreSearch: false });
}

function page(event, url) {
  return fetch(event.request).then(function (response) {
    if (response.headers.get("Pelita-Session") === "none") {
      event.waitUntil(forgetCourses());
    } else if (SAVED_PAGE.test(url.pathname) && response.ok && !response.redirected &&
               response.type === "basic") {
      event.waitUntil(refreshSaved(url.href, response.clone()));
    }
    return response;
  }, function () {
    // The network failed: a saved course page, the shell's own pages, else the offline page.
    var kept = SAVED_PAGE.test(url.pathname) || CONFIG.urls.indexOf(url.pathname) !== -1;
    return (kept ? fromCaches(url.href) : Promise.resolve(undefined)).then(function (hit) {
      return hit || fromCaches(CONFIG.fallback);
    }).then(function (hit) {
      return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

function versioned(event, url) {
  return fromCaches(url.href).then(function (hit) {
    if (hit) { return hit; }
    return fetch(event.request).then(function (response) {
      // Static files of the shell's version are public: keep them with the shell.
      if (url.pathname.indexOf("/static/") === 0 && response.ok && response.type === "basic") {
        var copy = response.clone();
        event.waitUntil(caches.open(CONFIG.shell).then(function (cache) { return cache.put(url.href, copy); }));
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // saves and forms: always the network, untouched
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(page(event, url));
    return;
  }
  if ((url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v")) || MEDIA.test(url.pathname)) {
    event.respondWith(versioned(event, url));
  }
  // Everything else (JSON, unversioned files) goes to the network as if there were no worker.
});

// offline.js asks the worker to forget the saved courses too (a page of a signed-out browser).
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "pelita-signed-out") {
    event.waitUntil(forgetCourses());
  }
});
