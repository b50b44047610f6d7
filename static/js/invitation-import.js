// Follows an invitation import on its progress page: polls the status JSON every second and
// moves the bar; once the import has finished (or stopped), reloads the page, which then lists
// the rows that could not be used. Without JavaScript the page still shows where it stood.
(function () {
  "use strict";
  const root = document.querySelector("[data-status-url]");
  if (!root || root.dataset.state !== "pending") return;
  const bar = document.getElementById("import-progress");

  function show(status) {
    for (const element of root.querySelectorAll("[data-field]")) {
      const value = status[element.dataset.field];
      if (value !== undefined) element.textContent = String(value);
    }
    bar.value = status.percent;
    bar.textContent = status.percent + "%";
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
