// Follows a background job on its page: polls the status JSON named by data-status-url every
// second, fills every [data-field] and the <progress data-progress-bar>, and reloads the page
// once the job is no longer pending (the page then shows the result). Without JavaScript the
// page still says where the job stood, and a reload shows the rest.
(function () {
  "use strict";
  const root = document.querySelector("[data-status-url]");
  if (!root || root.dataset.state !== "pending") return;
  const bar = root.querySelector("[data-progress-bar]");

  function show(status) {
    for (const element of root.querySelectorAll("[data-field]")) {
      const value = status[element.dataset.field];
      if (value !== undefined) element.textContent = String(value);
    }
    if (bar) {
      bar.value = status.percent;
      bar.textContent = status.percent + "%";
    }
  }

  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.state !== "pending") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // a hiccup (a deploy, the network): try again later
      });
  }

  window.setTimeout(poll, 1000);
})();
