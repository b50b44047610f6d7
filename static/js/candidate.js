// Candidate pages: structured answers as JSON, and the results page that refreshes itself.
(function () {
  "use strict";

  function structuredAnswer(form) {
    var answer = {};
    form.querySelectorAll("[data-json-field]").forEach(function (input) {
      var name = input.getAttribute("data-json-field");
      if (input.value === "") return;
      answer[name] = input.type === "number" ? Number(input.value) : input.value;
    });
    form.querySelectorAll("[data-json-map]").forEach(function (input) {
      var map = input.getAttribute("data-json-map");
      answer[map] = answer[map] || {};
      if (input.value !== "") answer[map][input.getAttribute("data-key")] = Number(input.value);
    });
    var ranks = Array.prototype.slice.call(form.querySelectorAll("[data-json-rank]"));
    if (ranks.length) {
      answer.order = ranks
        .filter(function (s) { return s.value !== ""; })
        .sort(function (a, b) { return Number(a.value) - Number(b.value); })
        .map(function (s) { return s.getAttribute("data-key"); });
    }
    return answer;
  }

  document.querySelectorAll("form.answer-form").forEach(function (form) {
    var hidden = form.querySelector("input[name=answer_json]");
    if (!hidden) return;
    form.addEventListener("submit", function () {
      hidden.value = JSON.stringify(structuredAnswer(form));
    });
  });

  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function () {
      document.getElementById("submit-button").disabled = true;
    });
  }

  var pending = document.querySelector("[data-poll-url]");
  if (pending) {
    var url = pending.getAttribute("data-poll-url");
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.status === "pending") { setTimeout(poll, 1500); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 4000); });
    };
    setTimeout(poll, 1000);
  }
})();
