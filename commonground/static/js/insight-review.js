// Keyboard shortcuts for the theme review queue: each one presses a button that is already on the
// page (so the page works the same without JavaScript). Keys are read by position (event.code), so
// Shift+1 means the same on every keyboard layout. After each action the page reloads at #review
// and the keyboard is put on the next decision (the success banner above it is a live alert).
(function () {
  "use strict";
  var region = document.querySelector("[data-insight-review]");
  if (!region) { return; }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function shortcutFor(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return null; }
    var match = /^Digit([1-9])$/.exec(event.code || "");
    if (match) { return (event.shiftKey ? "shift+" : "") + match[1]; }
    if (event.shiftKey) { return null; }
    var letter = /^Key([A-Z])$/.exec(event.code || "");
    return letter ? letter[1].toLowerCase() : null;
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event.target)) { return; }
    var key = shortcutFor(event);
    if (!key) { return; }
    var control = region.querySelector('[data-shortcut="' + key + '"]');
    if (!control) { return; }
    event.preventDefault();
    control.click();
  });

  if (window.location.hash === "#review") {
    window.addEventListener("load", function () {
      var next = region.querySelector("button[data-shortcut]");
      if (next) { next.focus(); }
    });
  }
})();
