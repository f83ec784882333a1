// The upload page's progress bars: the bytes sent, then the job that takes the export in.
// Without this script the form still works (a plain POST, then the job's page with a "look again" link).
"use strict";

(function () {
  const form = document.getElementById("upload-form");
  if (form) {
    const bar = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    const button = form.querySelector("button");
    // The form as it was before sending, the message of what went wrong above it (where the page without
    // script shows a refusal) with the focus on it: the button that had the focus was disabled meanwhile.
    // A screen reader hears it (role "alert"); the file stays chosen, so "Send" tries again.
    const failed = function (problem) {
      const shown = document.querySelector("#upload-title ~ .problem");
      if (shown) shown.remove();
      button.disabled = false;
      bar.hidden = true;
      status.textContent = "";
      form.before(problem);
      problem.focus();
    };
    // The page's own words for a failure the server did not explain (`upload.html`).
    const said = function (name, code) {
      const problem = document.getElementById(name).content.firstElementChild.cloneNode(true);
      const message = problem.querySelector("strong");
      message.textContent = message.textContent.replace("{status}", String(code));
      return problem;
    };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      status.textContent = "Sending your export…";  // said by a screen reader: a live region
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (sent) {
        if (sent.lengthComputable) bar.value = sent.loaded / sent.total;
      });
      request.addEventListener("load", function () {
        if (request.responseURL && request.responseURL !== form.action && request.status < 400) {
          window.location.assign(request.responseURL);
        } else {
          // The server refused the upload: its message, as the page without script would show it; an
          // answer without one (a proxy's) is said in the page's words, with its status.
          const answer = new DOMParser().parseFromString(request.responseText, "text/html");
          const problem = answer.querySelector(".problem");
          failed(problem ? document.adoptNode(problem) : said("upload-unexplained", request.status));
        }
      });
      request.addEventListener("error", function () {
        failed(said("upload-unreached", 0));  // the connection broke: no answer came
      });
      request.send(new FormData(form));
    });
  }

  const job = document.getElementById("job");
  if (job && (job.dataset.state === "queued" || job.dataset.state === "running")) {
    const words = document.getElementById("job-words");
    const bar = document.getElementById("job-progress");
    const follow = function () {
      fetch(job.dataset.stateUrl, { credentials: "same-origin" })
        .then(function (answer) {
          // Busy, or not there for a moment: asked again a little later (the `catch` below).
          if (answer.status === 429 || answer.status >= 500) throw new Error(String(answer.status));
          // Not the job's state (it was deleted, or the session ended, in another tab): the page, asked
          // again, says what is true now, and follows nothing more.
          if (!answer.ok || answer.redirected) {
            window.location.reload();
            return null;
          }
          return answer.json();
        })
        .then(function (state) {
          if (state === null) return;
          if (words.textContent !== state.words) {
            words.textContent = state.words;  // said once per stage
            document.title = state.words + document.title.slice(document.title.indexOf(" · "));
          }
          if (state.fraction !== null && state.fraction !== undefined) bar.value = state.fraction;
          if (state.state !== "queued" && state.state !== "running") {  // it ended (or was taken back)
            window.location.reload();
          } else {
            window.setTimeout(follow, 1000);
          }
        })
        .catch(function () { window.setTimeout(follow, 3000); });
    };
    window.setTimeout(follow, 1000);
  }
})();
