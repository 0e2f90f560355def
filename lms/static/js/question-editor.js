// The question editor without page reloads (progressive enhancement of
// templates/authoring/quiz_question.html). Without JavaScript the same buttons post the form and
// the server re-renders it from the posted values (lms/quizzes/editor.py apply_row_action);
// here the rows are added, removed and moved in the page, renumbered so the form posts the same
// names, and the preview is asked of the server (the learner's own rendering) as the author types.
(function () {
  "use strict";
  var form = document.querySelector("form[data-question-editor]");
  if (!form) { return; }
  var status = document.getElementById("editor-status");
  var preview = document.getElementById("question-preview");
  var previewBody = preview && preview.querySelector("[data-preview-body]");
  var msg = {
    added: form.getAttribute("data-msg-added") || "{what}",
    removed: form.getAttribute("data-msg-removed") || "{what}",
    moved: form.getAttribute("data-msg-moved") || "{what}"
  };

  function say(text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function rowsOf(fieldset) {
    return Array.prototype.filter.call(
      fieldset.querySelectorAll("li[data-row]"),
      function (li) { return li.closest("[data-rows]") === fieldset; });
  }

  function labelOf(li) {
    var legend = li.querySelector("legend[data-label-template], label[data-label-template]");
    return legend ? legend.textContent.trim() : "";
  }

  // Give every row the names, ids and labels of its position (as the server would render it).
  function renumber(fieldset) {
    var name = fieldset.getAttribute("data-rows");
    var rows = rowsOf(fieldset);
    var pattern = new RegExp("^(e-)?" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-\\d+(?=-|$)");
    rows.forEach(function (li, k) {
      var fix = function (value) { return value.replace(pattern, function (m, e) { return (e || "") + name + "-" + k; }); };
      Array.prototype.forEach.call(li.querySelectorAll("*"), function (el) {
        ["name", "id", "for", "href"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) { el.setAttribute(attr, attr === "href" ? v.replace(/#(.*)$/, function (m, h) { return "#" + fix(h); }) : fix(v)); }
        });
        var described = el.getAttribute("aria-describedby");
        if (described) { el.setAttribute("aria-describedby", described.split(/\s+/).map(fix).join(" ")); }
        if (el.hasAttribute("data-row-index")) { el.value = String(k); }
        if (el.name === "row_action") { el.value = el.value.replace(/:\d+$/, ":" + k); }
        var template = el.getAttribute("data-label-template");
        if (template) {
          var text = template.replace("{n}", String(k + 1));
          if (el.hasAttribute("aria-label")) { el.setAttribute("aria-label", text); } else { el.textContent = text; }
        }
        var kind = el.getAttribute("data-row-button");
        if (kind === "up") { el.disabled = k === 0; }
        if (kind === "down") { el.disabled = k === rows.length - 1; }
      });
    });
    var count = fieldset.querySelector("input[data-row-count]");
    if (count) { count.value = String(rows.length); }
  }

  function firstInput(li) {
    return li.querySelector("textarea, input[type=text]");
  }

  function addRow(fieldset) {
    var rows = rowsOf(fieldset);
    if (!rows.length) { return false; } // nothing to copy: let the server add it
    var last = rows[rows.length - 1];
    var li = last.cloneNode(true);
    Array.prototype.forEach.call(li.querySelectorAll("input, textarea"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else if (el.type !== "hidden" || el.hasAttribute("data-row-id")) { el.value = ""; }
      el.removeAttribute("aria-invalid");
      el.removeAttribute("autofocus");
      el.style.height = "";
    });
    Array.prototype.forEach.call(li.querySelectorAll(".error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(li.querySelectorAll(".field--error"), function (el) { el.classList.remove("field--error"); });
    li.classList.remove("field--error");
    Array.prototype.forEach.call(li.querySelectorAll("details"), function (el) { el.open = false; });
    last.parentNode.appendChild(li);
    renumber(fieldset);
    var input = firstInput(li);
    if (input) { input.focus(); }
    say(msg.added.replace("{what}", labelOf(li)));
    return true;
  }

  function removeRow(fieldset, li) {
    var rows = rowsOf(fieldset);
    var k = rows.indexOf(li);
    var what = labelOf(li);
    li.remove();
    renumber(fieldset);
    rows = rowsOf(fieldset);
    var next = rows[Math.min(k, rows.length - 1)];
    var target = next ? next.querySelector("[data-row-button=remove]") : fieldset.querySelector("[data-row-button=add]");
    if (target) { target.focus(); }
    say(msg.removed.replace("{what}", what));
  }

  function moveRow(fieldset, li, up) {
    var other = up ? li.previousElementSibling : li.nextElementSibling;
    if (!other) { return; }
    if (up) { li.parentNode.insertBefore(li, other); } else { li.parentNode.insertBefore(other, li); }
    renumber(fieldset);
    var same = li.querySelector("[data-row-button=" + (up ? "up" : "down") + "]");
    var opposite = li.querySelector("[data-row-button=" + (up ? "down" : "up") + "]");
    (same && !same.disabled ? same : opposite).focus();
    say(msg.moved.replace("{what}", labelOf(li)));
  }

  // The preview: the server renders the posted form as the learner's page would (nothing saved).
  var timer = null;
  var asked = 0;
  function refreshPreview(thenFocus) {
    if (!previewBody || !window.fetch || !window.FormData) { return false; }
    var data = new FormData(form);
    data.set("row_action", "preview");
    data.set("fragment", "preview");
    var mine = ++asked;
    window.fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) { return; }
        previewBody.innerHTML = html;
        if (thenFocus) { preview.focus(); }
      })
      .catch(function () { /* offline: the Preview button still posts the form */ });
    return true;
  }
  function schedulePreview() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { refreshPreview(false); }, 500);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=row_action]");
    if (!button || !form.contains(button)) { return; }
    var value = button.value;
    if (value === "preview") {
      if (refreshPreview(true)) { event.preventDefault(); }
      return;
    }
    var parts = value.split(":");
    var fieldset = form.querySelector("[data-rows='" + parts[1] + "']");
    if (!fieldset) { return; }
    var li = button.closest("li[data-row]");
    if (parts[0] === "add") {
      if (addRow(fieldset)) { event.preventDefault(); schedulePreview(); }
      return;
    }
    if (!li) { return; }
    event.preventDefault();
    if (parts[0] === "remove") { removeRow(fieldset, li); }
    else if (parts[0] === "up") { moveRow(fieldset, li, true); }
    else if (parts[0] === "down") { moveRow(fieldset, li, false); }
    schedulePreview();
  });
  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);

  // Option texts grow with their text where the browser cannot do it in CSS (field-sizing).
  var cssGrows = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  if (!cssGrows) {
    var grow = function (el) { el.style.height = "auto"; el.style.height = el.scrollHeight + 4 + "px"; };
    form.addEventListener("input", function (event) {
      if (event.target.classList && event.target.classList.contains("textarea--grow")) { grow(event.target); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("textarea.textarea--grow"), grow);
  }
}());
