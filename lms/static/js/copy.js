// "Copy" buttons next to read-only invitation links; without JavaScript the text is selectable.
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  var list = document.getElementById("invitation-links");
  if (!list) { return; }
  var label = list.getAttribute("data-copy") || "Copy";
  var done = list.getAttribute("data-copied") || "Copied";
  Array.prototype.forEach.call(document.querySelectorAll("input.copy-source"), function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small button--secondary";
    button.textContent = label;
    button.setAttribute("aria-label", label + ": " + (input.labels[0] ? input.labels[0].textContent : ""));
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () { button.textContent = done; });
    });
    input.insertAdjacentElement("afterend", button);
  });
})();
