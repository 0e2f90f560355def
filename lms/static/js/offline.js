// Reading offline (progressive enhancement; docs/offline.md, "Reading offline").
// On every page: registers the service worker (/sw.js) and keeps the saved courses to the person
// signed in. <body data-offline-user="<id>"> on a signed-in page, "" on a signed-out one; the
// offline pages carry no such attribute and change nothing. A signed-out page deletes every saved
// course; a signed-in one deletes those another person saved on this browser.
// On a course page: the "save for reading offline" panel ([data-offline-save]). On the saved
// page: the list of what this device holds ([data-offline-list]). Without service workers and
// the Cache API both stay hidden and their <noscript>/hint texts explain.
(function () {
  "use strict";
  var PREFIX = "pelita-course-";
  var META = "/__pelita-offline__/";   // a made-up URL under which each course cache keeps its facts
  if (!("serviceWorker" in navigator) || !window.caches || !window.fetch || !window.Promise) { return; }

  var body = document.body;
  var owner = body.hasAttribute("data-offline-user") ? body.getAttribute("data-offline-user") : null;

  function courseCaches() {
    return caches.keys().then(function (names) {
      return names.filter(function (n) { return n.indexOf(PREFIX) === 0; });
    });
  }

  function mine(name) { return name.indexOf(PREFIX + owner + "-") === 0; }

  // Privacy on shared computers: nobody sees the courses another person saved.
  var tidy = Promise.resolve();
  if (owner !== null) {
    tidy = courseCaches().then(function (names) {
      return Promise.all(names.filter(function (n) { return owner === "" || !mine(n); })
        .map(function (n) { return caches.delete(n); }));
    });
    if (owner === "" && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "pelita-signed-out" });
    }
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no offline reading */ });

  function msg(el, name) { return el.getAttribute("data-msg-" + name) || ""; }

  function kilobytes(bytes) {
    var kb = bytes / 1024;
    var text = kb < 1024 ? Math.max(1, Math.round(kb)) + " KB" : (kb / 1024).toFixed(1) + " MB";
    return text.replace(".", document.documentElement.lang === "en" ? "." : ",");
  }

  // What one course cache holds: its facts, the number of pages, media files and bytes.
  function describe(name) {
    return caches.open(name).then(function (cache) {
      return cache.keys().then(function (requests) {
        var pages = 0;
        var media = 0;
        var meta = null;
        return Promise.all(requests.map(function (req) {
          return cache.match(req).then(function (response) {
            var path = new URL(req.url).pathname;
            if (path.indexOf(META) === 0) {
              return response.json().then(function (m) { meta = m; return 0; });
            }
            if (/\/v\d+\/media\//.test(path)) { media += 1; } else { pages += 1; }
            return response.blob().then(function (b) { return b.size; });
          });
        })).then(function (sizes) {
          var bytes = sizes.reduce(function (a, b) { return a + b; }, 0);
          return { name: name, meta: meta || {}, pages: pages, media: media, bytes: bytes };
        });
      });
    });
  }

  // ------------------------------------------------------------------ the course page's panel
  var panel = document.querySelector("[data-offline-save]");
  if (panel && owner) {
    var saveButton = panel.querySelector("[data-offline-action=save]");
    var removeButton = panel.querySelector("[data-offline-action=remove]");
    var status = panel.querySelector("[data-offline-status]");
    var slug = panel.getAttribute("data-course");
    var cacheName = PREFIX + owner + "-" + slug;
    var busy = false;

    var say = function (text) { status.textContent = text; };

    var showSaved = function () {
      return caches.has(cacheName).then(function (has) {
        if (!has) { removeButton.hidden = true; saveButton.textContent = msg(panel, "save"); return; }
        return describe(cacheName).then(function (d) {
          if (!d.meta.slug) { removeButton.hidden = true; return; }
          removeButton.hidden = false;
          saveButton.textContent = msg(panel, "update");
          var text = msg(panel, "saved").replace("{pages}", d.pages).replace("{size}", kilobytes(d.bytes));
          if (String(d.meta.version) !== panel.getAttribute("data-version")) { text += " " + msg(panel, "outdated"); }
          say(text);
        });
      });
    };

    var save = function () {
      if (busy) { return; }
      busy = true;
      saveButton.disabled = true;
      say(msg(panel, "saving"));
      var plan;
      fetch(panel.getAttribute("data-offline-save"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("application/json") === -1) { throw new Error("plan"); }
          return r.json();
        })
        .then(function (data) {
          plan = data;
          return navigator.serviceWorker.ready;
        })
        .then(function () { return caches.open(cacheName); })
        .then(function (cache) {
          var urls = [plan.course.url].concat(plan.pages.map(function (p) { return p.url; }), plan.media);
          var done = 0;
          // One at a time: a village connection does better with one request than with twenty.
          var chain = Promise.resolve();
          urls.forEach(function (url) {
            chain = chain.then(function () {
              return fetch(url, { credentials: "same-origin", headers: { "X-Pelita-Offline": "save" } });
            }).then(function (response) {
              if (!response.ok || response.redirected) { throw new Error(url); }
              return cache.put(url, response);
            }).then(function () {
              done += 1;
              say(msg(panel, "progress").replace("{done}", done).replace("{total}", urls.length));
            });
          });
          return chain.then(function () { return cache.keys(); }).then(function (kept) {
            // Pages of an older version of the course (a module since removed) go.
            var wanted = urls.map(function (u) { return new URL(u, location.href).href; });
            return Promise.all(kept.filter(function (req) {
              return wanted.indexOf(req.url) === -1 && new URL(req.url).pathname.indexOf(META) !== 0;
            }).map(function (req) { return cache.delete(req); }));
          }).then(function () {
            var meta = { slug: plan.course.slug, title: plan.course.title, url: plan.course.url,
                         version: plan.course.version, pages: plan.pages.length };
            return cache.put(META + plan.course.slug, new Response(JSON.stringify(meta),
              { headers: { "Content-Type": "application/json" } }));
          });
        })
        .then(showSaved, function () {
          say(msg(panel, "failed"));
        })
        .then(function () { busy = false; saveButton.disabled = false; });
    };

    saveButton.addEventListener("click", save);
    removeButton.addEventListener("click", function () {
      caches.delete(cacheName).then(function () {
        removeButton.hidden = true;
        saveButton.textContent = msg(panel, "save");
        say(msg(panel, "removed"));
      });
    });
    panel.hidden = false;
    tidy.then(showSaved);
  }

  // ------------------------------------------------------------------ the saved page
  var list = document.querySelector("[data-offline-list]");
  if (list) {
    var total = document.querySelector("[data-offline-total]");
    var empty = document.querySelector("[data-offline-empty]");
    var said = document.querySelector("[data-offline-said]");
    var render = function () {
      return tidy.then(courseCaches).then(function (names) {
        return Promise.all(names.map(describe));
      }).then(function (courses) {
        list.textContent = "";
        courses = courses.filter(function (c) { return c.meta.slug; });
        courses.sort(function (a, b) { return String(a.meta.title).localeCompare(String(b.meta.title)); });
        empty.hidden = courses.length > 0;
        courses.forEach(function (c) {
          var item = document.createElement("li");
          item.className = "saved-course";
          var link = document.createElement("a");
          link.href = c.meta.url;
          link.textContent = c.meta.title;
          var facts = document.createElement("p");
          facts.textContent = msg(list, "facts").replace("{pages}", c.pages).replace("{media}", c.media)
            .replace("{size}", kilobytes(c.bytes));
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "button button--secondary";
          remove.textContent = msg(list, "remove");
          remove.setAttribute("aria-label", msg(list, "remove-named").replace("{title}", c.meta.title));
          remove.addEventListener("click", function () {
            caches.delete(c.name).then(render).then(function () {
              said.textContent = msg(list, "removed").replace("{title}", c.meta.title);
            });
          });
          var heading = document.createElement("h2");
          heading.appendChild(link);
          item.appendChild(heading);
          item.appendChild(facts);
          item.appendChild(remove);
          list.appendChild(item);
        });
        if (navigator.storage && navigator.storage.estimate) {
          return navigator.storage.estimate().then(function (e) {
            total.textContent = msg(list, "total").replace("{used}", kilobytes(e.usage || 0))
              .replace("{quota}", kilobytes(e.quota || 0));
          });
        }
        return undefined;
      });
    };
    list.hidden = false;
    var unsupported = document.querySelector("[data-offline-unsupported]");
    if (unsupported) { unsupported.hidden = true; }
    render();
  }
}());
