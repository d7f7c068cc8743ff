/* dangjian web app: progressive enhancement only — every page works without this file.
   Loaded from this site (no inline script, so a strict Content-Security-Policy holds). */
(function () {
  "use strict";

  /* Progress bars: poll the job's status URL until it is over, then show .job-done. */
  function followJob(box) {
    var url = box.getAttribute("data-job-url");
    var bar = box.querySelector("progress");
    var percent = box.querySelector(".job-percent");
    var state = box.querySelector(".job-state");
    var message = box.querySelector(".job-message");
    function show(status) {
      bar.value = status.progress;
      bar.textContent = status.progress + "%";
      percent.textContent = status.progress + "%";
      state.textContent = status.state_label;
      message.textContent = status.message || "";
      if (status.error && !box.querySelector(".error")) {
        var error = document.createElement("p");
        error.className = "error";
        error.setAttribute("role", "alert");
        error.textContent = status.error;
        box.appendChild(error);
      }
      if (status.done) {
        box.setAttribute("data-done", status.state);
        var done = document.querySelector(".job-done");
        if (done) { done.hidden = false; }
        return;
      }
      window.setTimeout(poll, 700);
    }
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(show)
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }

  /* Buttons with data-confirm ask first (a publish, a delete). */
  function confirmSubmit(event) {
    var question = event.submitter && event.submitter.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-url]").forEach(followJob);
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", confirmSubmit);
    });
  });
})();
