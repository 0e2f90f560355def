// Progressive enhancement for the province -> regency/city selects.
// Without JavaScript the "show regencies" button reloads the form instead.
(function () {
  "use strict";
  var province = document.getElementById("province_code");
  var regency = document.getElementById("regency_code");
  if (!province || !regency || !window.fetch) { return; }
  document.documentElement.classList.add("js");
  var placeholder = regency.options.length ? regency.options[0].textContent : "";
  province.addEventListener("change", function () {
    var code = province.value;
    regency.length = 0;
    regency.add(new Option(placeholder, ""));
    if (!code) { return; }
    regency.disabled = true;
    fetch("/regions/" + encodeURIComponent(code) + ".json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        items.forEach(function (it) { regency.add(new Option(it.name, it.code)); });
      })
      .catch(function () { /* the no-JS button still works */ })
      .then(function () { regency.disabled = false; });
  });
})();
