// Background save for quiz attempts (progressive enhancement).
// Without JavaScript the Save buttons post the form and nothing is lost. With it, every change is
// kept on this device (localStorage) at once and sent in the background. The sync protocol:
//
// 1. Device copy. Each edit of a question takes the next number of a counter kept for this browser
//    ("pelita-device": {id: random, seq: counter}). The copy of an attempt
//    ("pelita-attempt-<id>") maps a question field to {v: [[name, value], ...], s: number}.
// 2. Save. A POST to the form's action carries every field of the copy ("shown" plus its values),
//    the device id (sync_client) and each field's number (sync_seq-<field>). The server never
//    lets a lower number from this device replace a higher one, and answers
//    {"acked": {field: number}}: the number it now holds for each field sent.
// 3. Acknowledge. A field leaves the copy only when acknowledged with a number at least its own:
//    an edit made while the request was in flight has a higher number and stays pending.
// 4. Retry. A network error, a timeout (data-timeout seconds), 408, 429, 5xx or an answer that is
//    not the server's JSON is retried with exponential backoff and jitter (1 s doubling up to
//    60 s, or Retry-After), and at once on "online", when the page is shown again or when a
//    button is pressed. When the page is hidden or left, pending answers also go out in a
//    keepalive request. Other answers (an expired session) wait for one of those moments;
//    409 means the attempt is closed: nothing can be saved any more.
// 5. Load. The page says which device and number the server holds for each answered field of
//    the attempt (data-saved: {field: [device, number]}): copies the server already has are
//    forgotten, the others are put back into the page and sent.
// 6. Buttons (Save, next, finish...). With answers pending, the first press sends them and goes
//    on only once all are acknowledged; if that fails the page stays and says so. Any further
//    press posts the form anyway, carrying every pending answer (other pages' too) with its
//    number. The copy stays until a later page shows the server has it.
// The status line (role=status) tells how many answers are waiting, or that all are saved.
(function () {
  "use strict";
  var ATTEMPT_KEY = "pelita-attempt-";
  var DEVICE_KEY = "pelita-device";
  var memory = {};        // the last records read or written: all there is without localStorage
  var useMemory = false;

  function storage() {
    if (useMemory) { return null; }
    try { return window.localStorage; } catch (e) { return null; }
  }

  function readJSON(name) {
    var s = storage();
    if (!s) { return memory[name] || null; }
    try { memory[name] = JSON.parse(s.getItem(name) || "null"); } catch (e) { memory[name] = null; }
    return memory[name];
  }

  function writeJSON(name, value) {
    memory[name] = value;
    var s = storage();
    if (!s) { return; }
    try {
      if (value === null) { s.removeItem(name); } else { s.setItem(name, JSON.stringify(value)); }
    } catch (e) {
      useMemory = true;  // full or disabled: keep going in memory (the Save button still works)
    }
  }

  // Answers the server refused because they came too late (the time limit or the quiz's close
  // date had passed, e.g. given offline and sent on reconnection) are kept on this device under
  // "pelita-late-<id>" ({message, items: [{label, text}]}) and shown, with the server's message,
  // so the learner can read and copy them, until they remove them.
  var LATE_KEY = "pelita-late-";

  function showLate(anchor, id, source) {
    var record = readJSON(LATE_KEY + id);
    var old = document.getElementById("quiz-late");
    if (old) { old.parentNode.removeChild(old); }
    if (!record || !Array.isArray(record.items) || !record.items.length) { return; }
    var boxEl = document.createElement("div");
    boxEl.id = "quiz-late";
    boxEl.className = "alert alert--error quiz-late";
    boxEl.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = record.message;
    boxEl.appendChild(p);
    var intro = document.createElement("p");
    intro.textContent = source.getAttribute("data-msg-late-list") || "";
    boxEl.appendChild(intro);
    var ul = document.createElement("ul");
    record.items.forEach(function (item) {
      var li = document.createElement("li");
      var label = document.createElement("strong");
      label.textContent = item.label + ": ";
      var text = document.createElement("span");
      text.className = "quiz-late__text";
      text.textContent = item.text;
      li.appendChild(label);
      li.appendChild(text);
      ul.appendChild(li);
    });
    boxEl.appendChild(ul);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button--secondary";
    remove.textContent = source.getAttribute("data-msg-late-remove") || "OK";
    remove.addEventListener("click", function () {
      writeJSON(LATE_KEY + id, null);
      boxEl.parentNode.removeChild(boxEl);
    });
    boxEl.appendChild(remove);
    anchor.parentNode.insertBefore(boxEl, anchor);
  }

  // Keep refused answers: `items` [{label, text}] added to what is already kept.
  function keepLate(id, message, items) {
    if (!items.length) { return; }
    var record = readJSON(LATE_KEY + id) || { items: [] };
    record.message = message;
    record.items = (Array.isArray(record.items) ? record.items : []).concat(items);
    writeJSON(LATE_KEY + id, record);
  }

  // The review page of a finished attempt: its device copy can never be sent any more. Answers
  // still in it never reached the server in time: they are kept and shown as refused.
  var finished = document.querySelector("[data-attempt-finished]");
  if (finished) {
    var doneId = finished.getAttribute("data-attempt-finished");
    var left = readJSON(ATTEMPT_KEY + doneId) || {};
    var leftItems = [];
    Object.keys(left).forEach(function (f) {
      var entry = left[f];
      var pairs = Array.isArray(entry) ? entry : (entry && entry.v) || [];
      var text = pairs.map(function (pair) { return pair[1]; }).filter(function (v) { return v !== ""; }).join(", ");
      if (text) {
        leftItems.push({ label: (finished.getAttribute("data-msg-late-answer") || "{n}").replace("{n}", leftItems.length + 1), text: text });
      }
    });
    keepLate(doneId, finished.getAttribute("data-msg-late") || "", leftItems);
    writeJSON(ATTEMPT_KEY + doneId, null);
    showLate(finished, doneId, finished);
  }

  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch || !window.FormData || !window.Promise) { return; }
  document.documentElement.classList.add("js");

  var status = document.getElementById("quiz-status");
  var token = form.querySelector("input[name=csrf_token]");
  var url = form.getAttribute("action");
  var key = ATTEMPT_KEY + form.getAttribute("data-attempt");
  var DELAY = 800;             // pause after an edit before sending
  var FIRST_RETRY = 1000;
  var MAX_RETRY = 60000;
  var TIMEOUT = (parseFloat(form.getAttribute("data-timeout")) || 20) * 1000;
  var editTimer = null;
  var retryTimer = null;
  var inflight = false;
  var failures = 0;            // failed saves in a row (the backoff exponent)
  var problem = "";            // "", "failing" (retrying), "error" (cannot retry alone), "closed"
  var sentOnce = false;
  var waiters = [];            // button presses waiting for the copy to be sent
  var pressed = false;         // a press already tried to send first: the next one posts
  var leaving = false;         // the form is being posted
  var lastButton = null;
  var onServer = {};           // field -> JSON of the values the server is known to hold
  var closedMessage = "";      // why the server refused a save of the closed attempt

  function randomId() {
    var bytes = new Uint8Array(12);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function device() {
    var d = readJSON(DEVICE_KEY);
    if (!d || typeof d.id !== "string" || typeof d.seq !== "number") {
      d = { id: randomId(), seq: 0 };
      writeJSON(DEVICE_KEY, d);
    }
    return d;
  }

  function nextSeq() {
    var d = device();
    d.seq += 1;
    writeJSON(DEVICE_KEY, d);
    return d.seq;
  }

  function loadCopy() {
    var raw = readJSON(key) || {};
    var copy = {};
    var upgraded = false;
    Object.keys(raw).forEach(function (f) {
      var entry = raw[f];
      if (Array.isArray(entry)) { entry = { v: entry, s: nextSeq() }; upgraded = true; }  // older script
      if (entry && Array.isArray(entry.v) && typeof entry.s === "number") { copy[f] = entry; }
    });
    if (upgraded) { saveCopy(copy); }
    return copy;
  }

  function saveCopy(copy) {
    writeJSON(key, Object.keys(copy).length ? copy : null);
  }

  function pendingCount() { return Object.keys(loadCopy()).length; }

  function message(name) { return form.getAttribute("data-msg-" + name) || ""; }

  function show() {
    if (!status) { return; }
    var n = pendingCount();
    var text = "";
    if (problem === "closed") {
      text = closedMessage || message("closed");
    } else if (!n) {
      text = sentOnce ? message("saved") : "";
    } else if (problem || (pressed && !inflight)) {
      text = message(n === 1 ? "pending-one" : "pending-other").replace("{n}", n) + " " +
        message(problem === "error" ? "error" : "retrying");
      if (pressed && !inflight) { text += " " + message("refused"); }
    } else {
      text = message("saving");
    }
    if (status.textContent !== text) { status.textContent = text; }  // no repeated announcements
    status.classList.toggle("quiz-status--pending", n > 0 && (problem !== "" || pressed));
  }

  function box(field) { return form.querySelector('[data-field="' + field + '"]'); }

  // The [name, value] pairs a question would send in a normal form submit.
  function valuesOf(field) {
    var b = box(field);
    var pairs = [];
    if (!b) { return pairs; }
    b.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
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

  // The refused answers as the learner would read them: the question's number and the text
  // typed or the label of the option chosen.
  function lateItems(copy) {
    return Object.keys(copy).map(function (f) {
      var b = box(f);
      var nav = form.querySelector('[data-nav-field="' + f + '"]');
      var number = nav && nav.firstChild ? String(nav.firstChild.textContent).trim() : "";
      var label = (message("late-question") || "{n}").replace("{n}", number || f);
      var texts = copy[f].v.map(function (pair) {
        if (pair[1] === "" || !b) { return pair[1]; }
        var option = null;
        b.querySelectorAll("input[type=radio], input[type=checkbox], option").forEach(function (el) {
          if ((el.name === pair[0] || el.tagName === "OPTION") && el.value === pair[1]) { option = el; }
        });
        if (!option) { return pair[1]; }
        if (option.tagName === "OPTION") { return option.textContent.trim(); }
        var lab = option.closest("label") || (option.id && b.querySelector('label[for="' + option.id + '"]'));
        return lab ? lab.textContent.trim() : pair[1];
      }).filter(function (t) { return t !== ""; });
      return { label: label, text: texts.join(", ") };
    }).filter(function (item) { return item.text !== ""; });
  }

  function markAnswered(field, pairs) {
    var nav = form.querySelector('[data-nav-field="' + field + '"]');
    if (!nav) { return; }
    nav.classList.toggle("is-answered", pairs.some(function (p) { return p[1] !== ""; }));
  }

  // One POST of the whole copy. Resolves with {field: number} acknowledged; rejects with
  // {retry: bool, after: ms} or {closed: true}.
  function request(copy, keepalive) {
    var body = new FormData();
    body.append("sync_client", device().id);
    Object.keys(copy).forEach(function (f) {
      body.append("shown", f);
      body.append("sync_seq-" + f, String(copy[f].s));
      copy[f].v.forEach(function (p) { body.append(p[0], p[1]); });
    });
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT) : null;
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: keepalive === true,
      signal: controller ? controller.signal : undefined,
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch",
                 "Accept": "application/json" }
    }).then(function (r) {
      if (r.status === 409) {
        // The attempt is closed; the server says why (too late, or submitted elsewhere).
        return r.json().then(function (data) { return data; }, function () { return {}; })
          .then(function (data) {
            throw { closed: true, message: data && data.error, late: !!(data && data.late) };
          });
      }
      if (!r.ok) {
        var after = parseInt(r.headers.get("Retry-After") || "", 10);
        throw { retry: r.status === 408 || r.status === 429 || r.status >= 500,
                after: isNaN(after) ? 0 : after * 1000 };
      }
      // Anything but our JSON saved nothing: the login page (the session ended) needs the
      // learner; another page (a Wi-Fi portal, a proxy) may go away, so try again later.
      if ((r.headers.get("Content-Type") || "").indexOf("application/json") === -1) {
        throw { retry: !/\/login(\?|$)/.test(r.url) };
      }
      return r.json();
    }).then(function (data) {
      clearTimeout(timer);
      if (!data || typeof data.acked !== "object" || data.acked === null) { throw { retry: true }; }
      return data.acked;
    }, function (err) {
      clearTimeout(timer);
      throw (err && (err.closed || typeof err.retry === "boolean")) ? err : { retry: true };
    });
  }

  // Forget the fields the server acknowledged with at least their number (re-read the copy:
  // edits made meanwhile, here or in another tab, have higher numbers and stay).
  function acknowledge(acked) {
    var copy = loadCopy();
    Object.keys(acked).forEach(function (f) {
      if (copy[f] && typeof acked[f] === "number" && copy[f].s <= acked[f]) {
        markAnswered(f, copy[f].v);
        onServer[f] = JSON.stringify(copy[f].v);
        delete copy[f];
      }
    });
    saveCopy(copy);
  }

  function settle(ok) {
    if (ok) { pressed = false; }
    var callbacks = waiters;
    waiters = [];
    callbacks.forEach(function (cb) { cb(ok); });
  }

  function scheduleRetry(after) {
    var base = Math.min(MAX_RETRY, FIRST_RETRY * Math.pow(2, failures - 1));
    // Jitter: phones that lost the same mast do not all come back at the same moment.
    var wait = Math.min(MAX_RETRY, Math.max(base / 2 + Math.random() * base / 2, after || 0));
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { retryTimer = null; send(); }, wait);
  }

  function send() {
    clearTimeout(editTimer);
    editTimer = null;
    if (inflight) { return; }  // its end sends again what is still pending
    if (problem === "closed") { settle(true); return; }
    clearTimeout(retryTimer);
    retryTimer = null;
    var copy = loadCopy();
    if (!Object.keys(copy).length) { settle(true); show(); return; }
    inflight = true;
    show();
    request(copy, false).then(function (acked) {
      acknowledge(acked);
      failures = 0;
      problem = "";
      sentOnce = true;
    }, function (err) {
      if (err.closed) {
        problem = "closed";
        closedMessage = err.message || "";
        // Nothing can be saved any more: the unsent answers stay on this device, shown with the
        // server's message, until the learner removes them.
        keepLate(form.getAttribute("data-attempt"), closedMessage || message("closed"), lateItems(loadCopy()));
        saveCopy({});
        showLate(status || form, form.getAttribute("data-attempt"), form);
        return;
      }
      failures += 1;
      problem = err.retry ? "failing" : "error";
      if (err.retry) { scheduleRetry(err.after); }
    }).then(function () {
      inflight = false;
      if (problem === "closed" || !pendingCount()) {
        settle(true);
      } else if (problem) {
        settle(false);
      } else if (waiters.length) {
        send();  // edits made during the request, and a button is waiting
      } else if (!editTimer) {
        editTimer = setTimeout(send, DELAY);
      }
      show();
    });
  }

  function changed(event) {
    if (event.target && event.target.type === "file") { return; }
    var b = event.target.closest ? event.target.closest("[data-field]") : null;
    if (!b || problem === "closed") { return; }
    var field = b.getAttribute("data-field");
    var values = valuesOf(field);
    var copy = loadCopy();
    // Nothing new (e.g. the "change" after "input" when the field loses focus): no new edit.
    if (JSON.stringify(values) === (copy[field] ? JSON.stringify(copy[field].v) : onServer[field])) { return; }
    // Keep the answer on this device at once: a reload, a closed tab or a failed save still
    // finds it (restore() below puts it back and sends it).
    copy[field] = { v: values, s: nextSeq() };
    saveCopy(copy);
    // While retrying, the backoff timer sends it; otherwise after a short pause.
    if (!retryTimer) {
      clearTimeout(editTimer);
      editTimer = setTimeout(send, DELAY);
    }
    show();
  }

  // Put answers kept on this device back into the page, unless the server already has them.
  function restore() {
    form.querySelectorAll("[data-field]").forEach(function (b) {
      var f = b.getAttribute("data-field");
      onServer[f] = JSON.stringify(valuesOf(f));  // as the server rendered them
    });
    var copy = loadCopy();
    var id = device().id;
    var held = {};
    try { held = JSON.parse(form.getAttribute("data-saved") || "{}") || {}; } catch (e) { held = {}; }
    Object.keys(copy).forEach(function (field) {
      var h = held[field];
      if (h && h[0] === id && h[1] >= copy[field].s) { delete copy[field]; return; }  // stored
      var b = box(field);
      if (!b) { return; }  // a question of another page: sent as it is
      var values = {};
      copy[field].v.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
      b.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
        if (el.name === "shown" || el.type === "file") { return; }
        var v = values[el.name] || [];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = v.indexOf(el.value) !== -1;
        } else if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = v.indexOf(o.value) !== -1; });
        } else {
          el.value = v.length ? v[0] : "";
        }
      });
      markAnswered(field, copy[field].v);
    });
    saveCopy(copy);
    if (Object.keys(copy).length) { send(); }
  }

  // The form is being posted: add every pending answer with its number, so the post carries
  // answers of other pages too and the server can order them against background saves.
  function carryPending() {
    form.querySelectorAll("input[data-carried]").forEach(function (el) { el.parentNode.removeChild(el); });
    var copy = loadCopy();
    var fields = Object.keys(copy);
    if (!fields.length) { return; }
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      input.setAttribute("data-carried", "");
      form.appendChild(input);
    }
    add("sync_client", device().id);
    fields.forEach(function (f) {
      if (box(f)) {
        // On this page the form sends the field itself; number it only if it holds this value
        // (another tab may have changed the copy since).
        if (JSON.stringify(valuesOf(f)) === JSON.stringify(copy[f].v)) { add("sync_seq-" + f, copy[f].s); }
        return;
      }
      add("shown", f);
      add("sync_seq-" + f, copy[f].s);
      copy[f].v.forEach(function (p) { add(p[0], p[1]); });
    });
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[type=submit]") : null;
    if (button) { lastButton = button; }
  });
  form.addEventListener("submit", function (event) {
    if (leaving) { return; }
    if (!pendingCount() || problem === "closed" || pressed) {
      leaving = true;
      carryPending();
      return;
    }
    event.preventDefault();
    pressed = true;
    var button = event.submitter || lastButton;
    waiters.push(function (ok) {
      if (!ok || leaving) { show(); return; }
      leaving = true;
      carryPending();
      if (button) { button.click(); } else { form.submit(); }
    });
    send();
    show();
  });

  // Leaving or hiding the page: try once more with a request that outlives the page (also while
  // the form is posted: a repeated answer changes nothing on the server).
  function flushOnLeave() {
    if (problem === "closed" || !pendingCount()) { return; }
    request(loadCopy(), true).then(function (acked) { acknowledge(acked); show(); }, function () {});
  }
  window.addEventListener("pagehide", flushOnLeave);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { leaving = false; send(); }  // back from the browser's page cache
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flushOnLeave(); } else if (pendingCount()) { send(); }
  });
  window.addEventListener("online", function () { failures = 0; send(); });
  showLate(status || form, form.getAttribute("data-attempt"), form);
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
