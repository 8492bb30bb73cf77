// Small progressive enhancements; every page works without this file.
// Dropdowns and the mobile menu are <details>: close them on Escape and on a
// click elsewhere, as people expect from a menu.
(function () {
  "use strict";

  var MENUS = "details.dropdown[open], details.nav-toggle[open]";

  function closeAll(except) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  document.addEventListener("click", function (event) {
    var inside = event.target.closest("details.dropdown, details.nav-toggle");
    closeAll(inside);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.activeElement && document.activeElement.closest(MENUS);
    closeAll(null);
    if (open) open.querySelector("summary").focus();
  });

  // A header checkbox ticks every row's checkbox of the same name in its form.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("input[data-check-all]");
    if (!all || !all.form) return;
    all.form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
