// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Pre-select the visitor's own time zone when the page did not bring one
  // (without this script the list starts at UTC). Browsers may report an
  // older name for a place, such as Asia/Calcutta; options list those too.
  var zone = document.querySelector("select[data-browser-default]");
  var own = "";
  try { own = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { own = ""; }
  if (zone && own) {
    for (var i = 0; i < zone.options.length; i++) {
      var option = zone.options[i];
      var aliases = (option.getAttribute("data-aliases") || "").split(" ");
      if (option.value === own || aliases.indexOf(own) !== -1) { zone.value = option.value; break; }
    }
  }

  // "If something else, which one?" only matters for "Something else". Without
  // this script it is always shown; it is never hidden while it holds text or
  // an error, so nothing typed disappears.
  var tool = document.getElementById("field-tool");
  var other = document.getElementById("tool-other-group");
  var otherInput = document.getElementById("field-tool_other");
  if (tool && other && otherInput) {
    var sync = function () {
      var needed = tool.value === "other" || otherInput.value !== "" ||
        otherInput.getAttribute("aria-invalid") === "true";
      other.hidden = !needed;
    };
    tool.setAttribute("aria-controls", "tool-other-group");
    tool.addEventListener("change", sync);
    sync();
  }

  // Move focus to the error summary so keyboard and screen-reader users hear it
  // first; a form with one field and no summary focuses the field instead.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  } else {
    var invalid = document.querySelector("main [aria-invalid=\"true\"]");
    if (invalid) { invalid.focus(); }
  }

  // A second click on a submit button while the first is in flight does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "yes") { event.preventDefault(); return; }
    form.dataset.submitted = "yes";
  });
  // Coming back through the history cache, forms must work again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-submitted]");
    for (var i = 0; i < forms.length; i++) { delete forms[i].dataset.submitted; }
  });
})();
