// An outcome import's page while the import runs: ask the API for the job every two seconds,
// move the progress bar and the counts, and reload the page (with its report) once it has ended.
(function () {
  "use strict";
  var card = document.querySelector("[data-import-poll]");
  if (!card || !window.fetch) return;
  var url = card.getAttribute("data-import-poll");
  var bar = card.querySelector("progress");
  var tries = 0;
  function show(job) {
    ["processed_rows", "total_rows", "accepted", "duplicates", "errors"].forEach(function (name) {
      var el = card.querySelector('[data-count="' + name + '"]');
      if (el && job[name] !== null && job[name] !== undefined) el.textContent = String(job[name]);
    });
    if (bar && job.total_rows) {
      bar.max = job.total_rows;
      bar.value = job.processed_rows;
    }
  }
  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job) show(job);
        if (job && (job.status === "done" || job.status === "failed")) {
          window.location.reload();
        } else if (tries < 900) {
          window.setTimeout(poll, 2000);
        } else {
          card.querySelector('[data-testid="next-step"]').textContent = card.getAttribute("data-gave-up");
        }
      })
      .catch(function () {
        if (tries < 900) window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
