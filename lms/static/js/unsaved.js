// Warn before leaving a page whose form (marked data-unsaved-warning) has unsaved changes.
// A form marked data-unsaved-dirty (e.g. showing a preview of unsaved text) starts as changed.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  if (!forms.length) { return; }
  var dirty = false;
  var submitting = false;
  Array.prototype.forEach.call(forms, function (form) {
    if (form.hasAttribute("data-unsaved-dirty")) { dirty = true; }
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { submitting = true; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || submitting) { return undefined; }
    event.preventDefault();
    event.returnValue = "";
    return "";
  });
}());
