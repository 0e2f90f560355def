// Background save for quiz attempts (progressive enhancement).
// Without JavaScript the Save / Save and next buttons post the form and nothing is lost.
// With it, a changed question is sent after a short pause; offline, pending answers are kept
// in localStorage and sent when the connection returns (also after a reload).
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  document.documentElement.classList.add("js");

  var status = document.getElementById("quiz-status");
  var token = form.querySelector("input[name=csrf_token]");
  var url = form.getAttribute("action");
  var key = "pelita-attempt-" + form.getAttribute("data-attempt");
  var DELAY = 800;
  var pending = {};   // field -> true, waiting to be sent
  var timer = null;
  var sending = false;
  var closed = false;

  function say(name) {
    if (status) { status.textContent = form.getAttribute("data-msg-" + name) || ""; }
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function loadStored() {
    var s = storage();
    if (!s) { return {}; }
    try { return JSON.parse(s.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }

  function writeStored(data) {
    var s = storage();
    if (!s) { return; }
    try {
      if (Object.keys(data).length) { s.setItem(key, JSON.stringify(data)); } else { s.removeItem(key); }
    } catch (e) { /* storage full or disabled: the Save button still works */ }
  }

  // The [name, value] pairs a question would send in a normal form submit.
  function valuesOf(field) {
    var box = form.querySelector('[data-field="' + field + '"]');
    var pairs = [];
    if (!box) { return pairs; }
    box.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
      // Files go with the Save buttons (a normal multipart submit), never in the background.
      if (el.name === "shown" || el.disabled || el.type === "file") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { pairs.push([el.name, o.value]); });
        return;
      }
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  function markAnswered(field, pairs) {
    var nav = form.querySelector('[data-nav-field="' + field + '"]');
    if (!nav) { return; }
    var answered = pairs.some(function (p) { return p[1] !== ""; });
    nav.classList.toggle("is-answered", answered);
  }

  function send(keepalive) {
    timer = null;
    if (sending || closed) { return; }
    var stored = loadStored();
    Object.keys(pending).forEach(function (f) { stored[f] = valuesOf(f); });
    pending = {};
    writeStored(stored);
    var fields = Object.keys(stored);
    if (!fields.length) { return; }
    if (navigator.onLine === false) { say("offline"); return; }
    var body = new FormData();
    fields.forEach(function (f) {
      body.append("shown", f);
      stored[f].forEach(function (p) { body.append(p[0], p[1]); });
    });
    sending = true;
    say("saving");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: keepalive === true,
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch",
                 "Accept": "application/json" }
    }).then(function (r) {
      if (r.ok) {
        var now = loadStored();
        fields.forEach(function (f) {
          if (JSON.stringify(now[f]) === JSON.stringify(stored[f])) { delete now[f]; }
          markAnswered(f, stored[f]);
        });
        writeStored(now);
        say("saved");
      } else if (r.status === 409) {
        closed = true;
        writeStored({});
        say("closed");
      } else {
        say("error");
      }
    }).catch(function () {
      say("offline");
    }).then(function () {
      sending = false;
      if (Object.keys(pending).length && !timer) { timer = setTimeout(send, DELAY); }
    });
  }

  function changed(event) {
    if (event.target && event.target.type === "file") { return; }
    var box = event.target.closest ? event.target.closest("[data-field]") : null;
    if (!box) { return; }
    var field = box.getAttribute("data-field");
    pending[field] = true;
    // Keep the answer on this device at once: a reload or a closed tab before the background
    // save still finds it (restore() below puts it back and sends it).
    var stored = loadStored();
    stored[field] = valuesOf(field);
    writeStored(stored);
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(send, DELAY);
  }

  // Put answers kept on this device back into the page (after an offline reload).
  function restore() {
    var stored = loadStored();
    Object.keys(stored).forEach(function (field) {
      var box = form.querySelector('[data-field="' + field + '"]');
      if (!box) { return; }
      var values = {};
      stored[field].forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
      box.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
        if (el.name === "shown" || el.type === "file") { return; }
        var v = values[el.name] || [];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = v.indexOf(el.value) !== -1;
        } else {
          el.value = v.length ? v[0] : "";
        }
      });
    });
    if (Object.keys(stored).length) { send(); }
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  // A normal submit sends everything itself: what is stored here is then no longer needed.
  form.addEventListener("submit", function () {
    if (navigator.onLine !== false) { writeStored({}); }
  });
  window.addEventListener("online", function () { send(); });
  // Leaving the page (reload, link, closing the tab): send what is pending right away.
  window.addEventListener("pagehide", function () {
    if (Object.keys(pending).length) { sending = false; send(true); }
  });
  restore();

  // Remaining time, updated every 20 seconds (the server enforces the deadline anyway).
  var timerBox = document.querySelector(".quiz-timer[data-deadline]");
  var remaining = timerBox ? timerBox.querySelector(".quiz-remaining") : null;
  if (timerBox && remaining) {
    var deadline = Date.parse(timerBox.getAttribute("data-deadline"));
    var tick = function () {
      var left = deadline - Date.now();
      if (isNaN(deadline)) { return; }
      if (left <= 0) {
        remaining.textContent = timerBox.getAttribute("data-msg-over");
        return;
      }
      var minutes = Math.ceil(left / 60000);
      remaining.textContent = (timerBox.getAttribute("data-msg-left") || "").replace("{n}", minutes);
      setTimeout(tick, 20000);
    };
    tick();
  }
})();
