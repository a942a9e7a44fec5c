// Staff pages: keyboard shortcuts and the queue's bulk bar. Small
// enhancements only: every staff page works without this file.
(function () {
  "use strict";

  var live = document.getElementById("staff-live");
  function say(text) {
    if (!live) { return; }
    // Emptied first so the same words twice are announced twice.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  // The queue's bulk bar shows once a ticket is ticked, saying how many.
  var form = document.getElementById("bulk-form");
  var bar = document.getElementById("bulk-bar");
  var legend = document.getElementById("bulk-legend");
  var selectPage = document.getElementById("select-page");
  var boxes = form ? form.querySelectorAll("input[name=ids]") : [];
  function ticked() {
    var n = 0;
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { n++; } }
    return n;
  }
  function syncBar(announce) {
    if (!bar) { return; }
    var n = ticked();
    var refused = document.getElementById("bulk-error");
    if (n === 0 && !refused) { bar.setAttribute("data-empty", ""); } else { bar.removeAttribute("data-empty"); }
    legend.textContent = n === 0 ? "Edit the selected tickets" : "Edit " + n + (n === 1 ? " ticket" : " tickets");
    var apply = document.getElementById("bulk-apply");
    if (apply) { apply.textContent = n === 0 ? "Apply to selected" : "Apply to " + n; }
    if (selectPage) {
      selectPage.checked = n > 0 && n === boxes.length;
      selectPage.indeterminate = n > 0 && n < boxes.length;
    }
    if (announce) { say(n === 0 ? "No tickets selected." : n + (n === 1 ? " ticket selected." : " tickets selected.")); }
  }
  if (form && bar) {
    document.documentElement.classList.add("js");
    if (selectPage) {
      selectPage.hidden = false;
      selectPage.addEventListener("change", function () {
        for (var i = 0; i < boxes.length; i++) { boxes[i].checked = selectPage.checked; }
        syncBar(true);
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "ids") { syncBar(true); }
    });
    syncBar(false);
  }

  // A count the page cut short is finished in the background, and the
  // range says it once known (without this script, "Count them all" does).
  var range = document.getElementById("queue-range");
  if (range && range.getAttribute("data-count-url") && window.fetch) {
    fetch(range.getAttribute("data-count-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (count) {
        if (!count) { return; }
        var before = range.getAttribute("data-before");
        range.textContent = before ? before + count : count + " in this view";
        var all = document.getElementById("count-all");
        if (all && count.indexOf("at least") !== 0 && count !== "many") { all.hidden = true; }
      })
      .catch(function () { /* the link stays */ });
  }

  // Keyboard shortcuts. Never while typing: in a field, or with a modifier.
  function typing(event) {
    var t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return true; }
    if (!t || !t.tagName) { return false; }
    var tag = t.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || t.isContentEditable;
  }

  var rows = document.querySelectorAll("#queue-table tbody tr[data-href]");
  var current = -1;
  function rowLabel(row) {
    var ref = row.querySelector(".cell-ref");
    var subject = row.querySelector(".cell-subject");
    return (ref ? ref.textContent : "") + ": " + (subject ? subject.textContent : "") + ". Press o to open.";
  }
  function moveTo(i) {
    if (rows.length === 0) { return; }
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (current >= 0) { rows[current].classList.remove("is-current"); rows[current].removeAttribute("aria-current"); }
    current = i;
    var row = rows[current];
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    if (row.scrollIntoView) { row.scrollIntoView({ block: "nearest" }); }
    say(rowLabel(row));
  }

  // A click anywhere on a row opens its ticket, as its reference does;
  // the tick box and links keep their own click.
  for (var r = 0; r < rows.length; r++) {
    rows[r].addEventListener("click", function (event) {
      if (/^(a|input|label|button)$/i.test(event.target.tagName || "")) { return; }
      window.location.href = this.getAttribute("data-href");
    });
  }

  var help = document.getElementById("shortcuts");
  var actions = {
    "?": function () {
      if (!help) { return; }
      help.open = true;
      var summary = help.querySelector("summary");
      if (summary) { summary.focus(); }
      say("Keyboard shortcuts listed.");
    },
    "/": function () {
      var search = document.getElementById("f-q");
      if (search) { search.focus(); search.select(); }
    }
  };
  if (rows.length) {
    actions.j = function () { moveTo(current + 1); };
    actions.k = function () { moveTo(current < 0 ? 0 : current - 1); };
    actions.o = function () { if (current >= 0) { window.location.href = rows[current].getAttribute("data-href"); } };
    actions.Enter = actions.o;
    actions.x = function () {
      if (current < 0) { return; }
      var box = rows[current].querySelector("input[name=ids]");
      if (box) { box.checked = !box.checked; syncBar(true); }
    };
  }
  // The ticket page: the composer and the view the ticket was opened from.
  var text = document.getElementById("field-text");
  function choose(id, announce) {
    var field = document.getElementById(id);
    if (!field) { return false; }
    field.checked = true;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    if (announce) { say(announce); }
    return true;
  }
  function setStatus(value, label) {
    var status = document.getElementById("field-status");
    if (!status) { return; }
    for (var i = 0; i < status.options.length; i++) {
      if (status.options[i].value === value) {
        status.value = value;
        status.dispatchEvent(new Event("change", { bubbles: true }));
        var send = document.getElementById("composer-send");
        if (send) { send.focus(); }
        say("Status set to " + label + " in the composer. Press Enter to send.");
        return;
      }
    }
    say("This ticket cannot be set to " + label + " from here.");
  }
  function clickId(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); }
  }
  if (text) {
    actions.r = function () { choose("field-kind", "Writing a public reply."); text.focus(); };
    actions.n = function () { choose("field-kind-note", "Writing an internal note."); text.focus(); };
    actions.m = function () {
      var macro = document.getElementById("field-macro");
      if (macro) { macro.focus(); say("Choose a canned reply, then press Enter."); }
    };
    actions.e = function () { setStatus("resolved", "Resolved"); };
    actions.w = function () { setStatus("waiting", "Waiting on requester"); };
    actions.a = function () { clickId("assign-to-me"); };
    // Ctrl+Enter (or Cmd+Enter) in the text sends, then opens the next
    // ticket of the view when there is one: the usual helpdesk key.
    text.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
      event.preventDefault();
      var next = document.getElementById("composer-send-next");
      (next || document.getElementById("composer-send")).click();
    });
  }
  if (!rows.length && document.getElementById("view-back")) {
    actions.j = function () { clickId("view-next"); };
    actions.k = function () { clickId("view-back"); };
  }

  // Pages add theirs: an element with data-shortcut="r" is clicked (a link
  // or button) or focused (a field) when its key is pressed.
  var marked = document.querySelectorAll("[data-shortcut]");
  for (var m = 0; m < marked.length; m++) {
    (function (el) {
      actions[el.getAttribute("data-shortcut")] = function () {
        var tag = el.tagName.toLowerCase();
        if (tag === "textarea" || tag === "input" || tag === "select") {
          el.focus();
        } else {
          el.click();
        }
      };
    })(marked[m]);
  }

  document.addEventListener("keydown", function (event) {
    // Esc leaves a text field, so the letter keys work again.
    if (event.key === "Escape" && /^(input|textarea)$/i.test(event.target.tagName || "") &&
        event.target.type !== "search") {
      event.target.blur();
      say("Left the field: shortcuts work again.");
      return;
    }
    if (event.defaultPrevented || typing(event)) { return; }
    // Enter on a link, button or summary already does what it says.
    if (event.key === "Enter" && /^(a|button|summary)$/i.test(event.target.tagName || "")) { return; }
    var act = actions[event.key];
    if (!act) { return; }
    event.preventDefault();
    act();
  });
  if (help) { help.hidden = false; }
})();
