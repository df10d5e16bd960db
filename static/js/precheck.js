// The verification page while the automatic checks run: ask the API every few seconds and reload
// the page once the checks have finished (or the attempt was decided), so nobody has to reload.
(function () {
  "use strict";
  var note = document.querySelector("[data-precheck-poll]");
  if (!note || !window.fetch) return;
  var url = note.getAttribute("data-precheck-poll");
  var tries = 0;
  function finished(state) {
    if (state.status !== "pending") return true;
    return !state.checks.some(function (c) { return c.status === "queued"; });
  }
  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && finished(state)) {
          window.location.reload();
        } else if (tries < 120) {
          window.setTimeout(poll, Math.min(1000 + tries * 250, 5000));
        } else {
          note.textContent = note.getAttribute("data-gave-up");
        }
      })
      .catch(function () {
        if (tries < 120) window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
