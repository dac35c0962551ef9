// Follows a plan running in the background: asks the status URL every two seconds, shows the
// stage and the best plan so far, and opens the result when it is ready. Without JavaScript the
// page refreshes itself instead.
(function () {
  "use strict";
  var element = document.getElementById("scenario-progress");
  if (!element || !window.fetch) { return; }
  var stage = element.querySelector('[data-progress="stage"]');
  var note = element.querySelector('[data-progress="note"]');
  function poll() {
    fetch(element.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.finished) { window.location.assign(status.url); return; }
        if (stage.textContent !== status.stage_label) { stage.textContent = status.stage_label; }
        if (note.textContent !== status.note) { note.textContent = status.note; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
