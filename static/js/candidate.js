// Candidate pages: autosave that never loses an answer, the countdown, the ranking control,
// and the results page that turns into the result by itself. Plain JavaScript, no libraries.
//
// Autosave: every change is written to localStorage first (the "pending" queue, one entry per
// step), then sent to the server; an entry leaves the queue only when the server confirmed it.
// A failed save is retried with backoff, when the browser comes back online, and on the next
// page load, so closing the tab or losing the network loses nothing typed on this device.
(function () {
  "use strict";

  var TEXT_DEBOUNCE_MS = 700;
  var CLICK_DEBOUNCE_MS = 150;
  var MAX_BACKOFF_MS = 30000;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function announce(element, text) {
    if (!element) return;
    element.textContent = "";
    window.setTimeout(function () { element.textContent = text; }, 50);
  }

  // --- Pending queue in localStorage --------------------------------------------------------

  function Queue(key) { this.key = key; }
  Queue.prototype.read = function () {
    try { return JSON.parse(window.localStorage.getItem(this.key) || "{}") || {}; } catch (e) { return {}; }
  };
  Queue.prototype.write = function (entries) {
    try {
      if (Object.keys(entries).length) window.localStorage.setItem(this.key, JSON.stringify(entries));
      else window.localStorage.removeItem(this.key);
    } catch (e) { /* storage full or disabled: the server copy is still tried */ }
  };
  Queue.prototype.put = function (step, entry) { var all = this.read(); all[step] = entry; this.write(all); };
  Queue.prototype.drop = function (step, version) {
    var all = this.read();
    if (all[step] && (version === undefined || all[step].version === version)) { delete all[step]; this.write(all); }
  };

  // --- Form <-> list of [name, value] pairs ------------------------------------------------

  function formPairs(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function applyPairs(form, pairs) {
    var values = {};
    pairs.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    $all("input[type=radio], input[type=checkbox]", form).forEach(function (input) {
      if (!input.name) return;
      input.checked = (values[input.name] || []).indexOf(input.value) !== -1;
    });
    $all("textarea, input[type=text]", form).forEach(function (input) {
      if (input.name && values[input.name]) input.value = values[input.name][0];
    });
    var list = $("[data-rank-list]", form);
    if (list && values.order) {
      values.order.forEach(function (alias) {
        var hidden = list.querySelector("input[name=order][value='" + alias + "']");
        if (hidden) list.appendChild(hidden.closest("[data-rank-item]"));
      });
      renumber(list);
    }
  }

  // --- Autosave ------------------------------------------------------------------------------

  function Autosave(form) {
    this.form = form;
    this.step = form.getAttribute("data-step");  // null on the review page
    this.url = form.getAttribute("data-autosave-url");
    this.queue = new Queue(form.getAttribute("data-storage-key"));
    this.status = $("#save-status");
    this.timer = null;
    this.retryTimer = null;
    this.backoff = 2000;
    this.inFlight = false;
    this.version = 0;
  }

  Autosave.prototype.setStatus = function (state, text) {
    if (!this.status) return;
    var textNode = this.status.querySelector(".save-text");
    if (this.status.getAttribute("data-state") === state && textNode.textContent === text) return;
    this.status.setAttribute("data-state", state);
    textNode.textContent = text;
  };

  Autosave.prototype.changed = function (delay) {
    var self = this;
    this.version += 1;
    // Written to the device at once, so a crash or a closed tab keeps it.
    this.queue.put(this.step, { url: this.url, pairs: formPairs(this.form), version: this.version, at: Date.now() });
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.flush(); }, delay);
  };

  Autosave.prototype.flush = function () {
    var self = this;
    var entries = this.queue.read();
    var steps = Object.keys(entries);
    if (!steps.length || this.inFlight) return;
    window.clearTimeout(this.retryTimer);
    this.inFlight = true;
    var step = steps.indexOf(this.step) !== -1 ? this.step : steps[0];
    var entry = entries[step];
    if (step === this.step) this.setStatus("saving", "Saving…");
    var body = new URLSearchParams();
    entry.pairs.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", csrfToken(this.form));
    fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(this.form) },
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        self.inFlight = false;
        if (result.status === 200) {
          self.queue.drop(step, entry.version);
          self.backoff = 2000;
          if (step === self.step) self.setStatus("saved", "Saved at " + clock(new Date()));
          if (Object.keys(self.queue.read()).length) self.flush();
        } else if (result.status === 409 && result.data.redirect) {
          self.queue.write({});
          window.location.assign(result.data.redirect);
        } else if (result.status === 400 || result.status === 404) {
          // The server refused this answer and changed nothing; retrying cannot help.
          self.queue.drop(step, entry.version);
          if (step === self.step) self.setStatus("refused", "Not saved: " + (result.data.error || "this answer could not be saved."));
          if (Object.keys(self.queue.read()).length) self.flush();
        } else {
          self.retry(step);
        }
      })
      .catch(function () { self.inFlight = false; self.retry(step); });
  };

  Autosave.prototype.retry = function () {
    var self = this;
    // A stable text, so a screen reader hears it once rather than at every retry.
    this.setStatus("retrying", "Not saved yet — your answer is kept on this device and will be sent as soon as the connection is back.");
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(function () { self.flush(); }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  };

  Autosave.prototype.restore = function () {
    var pending = this.queue.read()[this.step];
    if (pending) {
      applyPairs(this.form, pending.pairs);
      this.version = pending.version || 0;
      this.setStatus("saving", "Restoring an answer kept on this device…");
    }
    if (Object.keys(this.queue.read()).length) this.flush();
  };

  Autosave.prototype.beacon = function () {
    // Last chance when the page goes away: hand any unsent answer to the browser to deliver.
    var entries = this.queue.read();
    var self = this;
    if (!navigator.sendBeacon) return;
    Object.keys(entries).forEach(function (step) {
      var body = new URLSearchParams();
      entries[step].pairs.forEach(function (pair) { body.append(pair[0], pair[1]); });
      body.append("csrfmiddlewaretoken", csrfToken(self.form));
      navigator.sendBeacon(entries[step].url, body);
    });
  };

  function clock(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  // --- Ranking: move up / move down -----------------------------------------------------------

  function renumber(list) {
    var items = $all("[data-rank-item]", list);
    items.forEach(function (item, index) {
      item.querySelector(".rank-position").textContent = String(index + 1);
      var up = item.querySelector("[data-move=up]");
      var down = item.querySelector("[data-move=down]");
      if (index === 0) up.setAttribute("aria-disabled", "true"); else up.removeAttribute("aria-disabled");
      if (index === items.length - 1) down.setAttribute("aria-disabled", "true"); else down.removeAttribute("aria-disabled");
    });
  }

  function setUpRanking(form, onChange) {
    var list = $("[data-rank-list]", form);
    if (!list) return;
    var live = $("#move-announce");
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button || button.getAttribute("aria-disabled") === "true") return;
      var item = button.closest("[data-rank-item]");
      var items = $all("[data-rank-item]", list);
      var index = items.indexOf(item);
      var up = button.getAttribute("data-move") === "up";
      if (up && index > 0) list.insertBefore(item, items[index - 1]);
      else if (!up && index < items.length - 1) list.insertBefore(items[index + 1], item);
      else return;
      renumber(list);
      items.forEach(function (other) { other.classList.remove("is-moved"); });
      item.classList.add("is-moved");
      button.focus();
      var position = $all("[data-rank-item]", list).indexOf(item) + 1;
      announce(live, item.querySelector(".rank-text").textContent + ": now " + position + " of " + items.length + ".");
      onChange();
    });
  }

  // --- Choice limits: at most N options, best differs from worst -----------------------------

  function setUpLimits(form) {
    var group = $("[data-max-select]", form);
    var live = $("#move-announce");
    if (group) {
      var most = Number(group.getAttribute("data-max-select"));
      group.addEventListener("change", function (event) {
        var checked = $all("input[type=checkbox]:checked", group);
        if (checked.length > most && event.target.checked) {
          event.target.checked = false;
          announce(live, "You can choose at most " + most + ". Untick one first.");
        }
      });
    }
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.type !== "radio" || (input.name !== "best" && input.name !== "worst")) return;
      var other = form.querySelector("input[name=" + (input.name === "best" ? "worst" : "best") + "][value='" + input.value + "']");
      if (other && other.checked) {
        other.checked = false;
        announce(live, "A response cannot be both the most and the least effective; the other choice was cleared.");
      }
    });
  }

  function setUpCounter(form) {
    var area = $("textarea[data-counter]", form);
    if (!area) return;
    var counter = document.getElementById(area.getAttribute("data-counter"));
    var limit = Number(area.getAttribute("maxlength"));
    var update = function () {
      counter.textContent = area.value.length + " / " + limit;
      counter.classList.toggle("is-near", area.value.length >= limit * 0.9);
    };
    area.addEventListener("input", update);
    update();
  }

  // --- The answer form ------------------------------------------------------------------------

  function setUpAnswerForm(form) {
    var autosave = new Autosave(form);
    setUpLimits(form);
    setUpCounter(form);
    setUpRanking(form, function () { autosave.changed(CLICK_DEBOUNCE_MS); });
    form.addEventListener("input", function (event) {
      if (event.target.matches("textarea, input[type=text]")) autosave.changed(TEXT_DEBOUNCE_MS);
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=radio], input[type=checkbox]")) autosave.changed(CLICK_DEBOUNCE_MS);
    });
    form.addEventListener("submit", function () {
      // The form carries the answer itself; a queued copy is harmless and retried if needed.
      var button = form.querySelector("button[type=submit]");
      window.setTimeout(function () { if (button) button.setAttribute("aria-disabled", "true"); }, 0);
    });
    window.addEventListener("online", function () { autosave.flush(); });
    window.addEventListener("pagehide", function () { autosave.beacon(); });
    autosave.restore();
    var error = $("#step-error");
    if (error) error.focus();
    return autosave;
  }

  // --- Countdown ------------------------------------------------------------------------------

  function setUpTimer() {
    var timer = $("#timer");
    if (!timer) return;
    var value = $("#timer-value");
    var live = $("#timer-announce");
    var deadline = Number(timer.getAttribute("data-deadline-ms"));
    // The server's clock decides; correct for the difference with this device's clock.
    var skew = Number(timer.getAttribute("data-now-ms")) - Date.now();
    var warned = {};
    var expiredUrl = timer.getAttribute("data-expired-url");
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      var text = (hours ? hours + ":" + String(minutes).padStart(2, "0") : String(minutes)) + ":" + String(seconds).padStart(2, "0");
      value.textContent = text;
      timer.classList.toggle("is-low", left > 0 && left <= 300);
      timer.classList.toggle("is-over", left === 0);
      [10, 5, 1].forEach(function (mark) {
        if (left <= mark * 60 && left > mark * 60 - 5 && !warned[mark]) {
          warned[mark] = true;
          announce(live, mark === 1 ? "One minute left." : mark + " minutes left.");
        }
      });
      if (left === 0) {
        announce(live, "Time is up. Your saved answers are being submitted.");
        value.textContent = "Time is up";
        window.clearInterval(handle);
        // The server submits the attempt and shows the result page.
        window.setTimeout(function () { window.location.assign(expiredUrl); }, 1200);
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
  }

  // --- Final submit ---------------------------------------------------------------------------

  function setUpSubmit() {
    var form = $("#submit-form");
    if (!form) return;
    var submitted = false;
    form.addEventListener("submit", function (event) {
      if (submitted) { event.preventDefault(); return; }
      submitted = true;
      var button = $("#submit-button");
      button.setAttribute("aria-disabled", "true");
      button.textContent = "Submitting…";
    });
  }

  // --- Results page: poll, then swap in the result ---------------------------------------------

  function setUpPolling() {
    var root = $("[data-poll-url]");
    if (!root) return;
    var url = root.getAttribute("data-poll-url");
    var delay = 1000;
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.status === "pending" || !body.html) {
            delay = Math.min(delay * 1.5, 5000);
            window.setTimeout(poll, delay);
            return;
          }
          root.removeAttribute("data-poll-url");
          root.innerHTML = body.html;
          var heading = root.querySelector("h1");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
          document.title = (heading ? heading.textContent.trim() : "Your result") + " — Skillproof";
          setUpCredentialPolling();
        })
        .catch(function () { window.setTimeout(poll, 4000); });
    };
    window.setTimeout(poll, delay);
  }

  // A passed result gets its credential a little later (issued by a worker): show the link
  // when it exists, without moving the candidate's focus. Gives up after about two minutes.
  function setUpCredentialPolling() {
    var root = $("#result-root");
    if (!root || !$("[data-credential-pending]", root)) return;
    var url = root.getAttribute("data-status-url");
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          var holder = document.createElement("div");
          holder.innerHTML = body.html || "";
          var link = holder.querySelector("[data-credential-link]");
          var pending = $("[data-credential-pending]", root);
          if (link && pending) {
            var paragraph = document.createElement("p");
            paragraph.appendChild(link);
            pending.replaceWith(paragraph);
            announce($("#result-announce"), "Your credential is ready.");
          } else if (tries < 40) {
            window.setTimeout(poll, 3000);
          }
        })
        .catch(function () { if (tries < 40) window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 2000);
  }

  var answerForm = $("#answer-form");
  if (answerForm) setUpAnswerForm(answerForm);
  var submitForm = $("#submit-form[data-storage-key]");
  if (submitForm) {
    // Answers queued on an earlier step are sent before the candidate submits.
    var flusher = new Autosave(submitForm);
    window.addEventListener("online", function () { flusher.flush(); });
    flusher.restore();
  }
  setUpTimer();
  setUpSubmit();
  setUpPolling();
  setUpCredentialPolling();
})();
