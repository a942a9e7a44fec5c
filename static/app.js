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

  // The composer's buttons say what they will do ("Send and set Waiting",
  // "Add note and resolve"); without this script they say "Send", with the
  // choices beside them.
  var composer = document.getElementById("composer");
  if (composer) {
    var text = document.getElementById("field-text");
    var send = document.getElementById("composer-send");
    var sendNext = document.getElementById("composer-send-next");
    var chosen = function (name) {
      var field = composer.elements[name];
      return field ? field.value : "";
    };
    var was = function (name) {
      var field = composer.elements["was_" + name];
      return field ? field.value : "";
    };
    var moves = {
      open: "set Open", waiting: "set Waiting", resolved: "resolve", closed: "close"
    };
    var label = function () {
      var note = chosen("kind") === "note";
      var status = chosen("status");
      var moved = status !== was("status");
      var fields = moved || chosen("priority") !== was("priority") ||
        chosen("assignee") !== was("assignee");
      if (text.value.trim() === "") { return fields ? "Update" : "Send"; }
      var start = note ? "Add note" : "Send reply";
      if (!moved) { return start; }
      var move = moves[status] || "set " + status;
      if (status === "open" && (was("status") === "resolved" || was("status") === "closed")) {
        move = "reopen";
      }
      return (note ? "Add note and " : "Send and ") + move;
    };
    var sync = function () {
      var words = label();
      send.textContent = words;
      if (sendNext) { sendNext.textContent = words + ", then next ticket"; }
    };
    composer.addEventListener("input", sync);
    composer.addEventListener("change", sync);
    sync();

    // A canned reply goes into the composer in place, after anything typed
    // (without this script the picker reloads the page with it filled in).
    var picker = document.getElementById("macro-picker");
    var choice = document.getElementById("field-macro");
    if (picker && choice) {
      picker.addEventListener("submit", function (event) {
        var option = choice.options[choice.selectedIndex];
        if (!option || !option.value) { return; }
        event.preventDefault();
        var body = option.getAttribute("data-body") || "";
        text.value = text.value.trim() === "" ? body : text.value.replace(/\s+$/, "") + "\n\n" + body;
        var reply = document.getElementById("field-kind");
        if (reply) { reply.checked = true; }
        var set = function (name, value) {
          var field = composer.elements[name];
          if (!field || !value) { return; }
          for (var i = 0; i < field.options.length; i++) {
            if (field.options[i].value === value) { field.value = value; return; }
          }
        };
        set("status", option.getAttribute("data-status"));
        set("priority", option.getAttribute("data-priority"));
        sync();
        text.focus();
      });
    }
  }

  // A second click on a submit button while the first is in flight does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) { return; }
    if (form.dataset.submitted === "yes") { event.preventDefault(); return; }
    form.dataset.submitted = "yes";
  });
  // Coming back through the history cache, forms must work again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-submitted]");
    for (var i = 0; i < forms.length; i++) { delete forms[i].dataset.submitted; }
  });
  // File fields: files can also be dropped on the field, and the files
  // chosen are listed with their sizes, a file over the limit said at once
  // (the server checks again). Without this script the input works as is.
  var fileFields = document.querySelectorAll("[data-files]");
  Array.prototype.forEach.call(fileFields, function (field) {
    var input = field.querySelector("input[type=file]");
    var chosen = field.querySelector(".file-chosen");
    var hint = field.querySelector(".drop-hint");
    if (!input || !chosen) { return; }
    var max = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var size = function (bytes) {
      if (bytes < 1024) { return bytes + " bytes"; }
      if (bytes < 1048576) { return Math.ceil(bytes / 1024) + " KB"; }
      return (bytes / 1048576).toFixed(1) + " MB";
    };
    var list = function () {
      chosen.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + size(file.size) + ")";
        if (max && file.size > max) {
          item.className = "field-error";
          item.textContent += ": larger than " + size(max) + ", so it will not be attached";
        }
        chosen.appendChild(item);
      });
      chosen.hidden = input.files.length === 0;
    };
    input.addEventListener("change", list);
    if (hint && typeof DataTransfer === "function") {
      hint.hidden = false;
      field.addEventListener("dragover", function (event) {
        event.preventDefault();
        field.classList.add("dragging");
      });
      field.addEventListener("dragleave", function () { field.classList.remove("dragging"); });
      field.addEventListener("drop", function (event) {
        event.preventDefault();
        field.classList.remove("dragging");
        if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
        // Dropped files join those already chosen.
        var all = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
        Array.prototype.forEach.call(event.dataTransfer.files, function (file) { all.items.add(file); });
        input.files = all.files;
        list();
      });
    }
  });
})();
