// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Pre-select the visitor's own UTC offset when the form did not bring one.
  var zone = document.getElementById("field-utc_offset");
  if (zone && zone.value === "") {
    var minutes = -new Date().getTimezoneOffset();
    var sign = minutes < 0 ? "-" : "+";
    var abs = Math.abs(minutes);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var offset = sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
    for (var i = 0; i < zone.options.length; i++) {
      if (zone.options[i].value === offset) { zone.value = offset; break; }
    }
  }

  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

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
