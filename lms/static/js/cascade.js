// Progressive enhancement for the province -> regency -> district -> village selects of a
// field activity. Without JavaScript the "Show the next list" button reloads the form instead.
(function () {
  "use strict";
  var ids = ["province_code", "regency_code", "district_code", "village_code"];
  var selects = ids.map(function (id) { return document.getElementById(id); });
  if (selects.some(function (s) { return !s; }) || !window.fetch) { return; }
  document.documentElement.classList.add("js");
  function clearFrom(index) {
    for (var i = index; i < selects.length; i++) {
      var placeholder = selects[i].options.length ? selects[i].options[0].textContent : "";
      selects[i].length = 0;
      selects[i].add(new Option(placeholder, ""));
    }
  }
  selects.slice(0, -1).forEach(function (select, index) {
    select.addEventListener("change", function () {
      var next = selects[index + 1];
      clearFrom(index + 1);
      if (!select.value) { return; }
      next.disabled = true;
      fetch("/cascade/regions/" + encodeURIComponent(select.value) + ".json",
            { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          items.forEach(function (it) { next.add(new Option(it.name, it.code)); });
        })
        .catch(function () { /* the no-JS button still works */ })
        .then(function () { next.disabled = false; });
    });
  });
})();
