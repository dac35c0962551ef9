// Reloads an import's page while it is being checked or imported in the background.
(function () {
  "use strict";
  var status = document.getElementById("import-status");
  if (status && status.dataset.working === "true") {
    setTimeout(function () { window.location.reload(); }, 3000);
  }
})();
