/* Inspect — an export job's page: poll its status, move the progress bar, offer the file.
 * Without this file the page shows the state and a 刷新进度 link. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var error = document.getElementById("job-error");
  var download = document.getElementById("job-download");
  var reload = document.getElementById("job-reload");
  var notice = document.getElementById("job-notice");
  var labels = document.getElementById("job-labels").dataset;
  var delay = 700;

  function text(s) {
    if (s.state === "queued") return labels.queued;
    if (s.state === "failed") return labels.failed;
    if (s.state === "done") return labels.done;
    if (s.phase === "packing") return labels.packing;
    var line = labels.running + " " + s.percent + "%";
    if (s.rows_total) {
      line += "（" + labels.rows.replace("{done}", s.rows_done).replace("{total}", s.rows_total) + "）";
    }
    return line;
  }

  function show(s) {
    bar.value = s.percent;
    bar.textContent = s.percent + "%";
    state.textContent = text(s);
    if (s.state === "failed") { error.textContent = s.error || ""; error.hidden = false; }
    notice.textContent = s.notice || "";
    notice.hidden = !s.notice;
    if (s.ready) {
      download.hidden = false;
      if (reload) reload.hidden = true;
      if (box.dataset.autoDownload) {
        box.dataset.autoDownload = "";
        history.replaceState(null, "", location.pathname);  // Back to this page: no second download
        window.location.assign(download.href);
      }
    }
    return s.state === "queued" || s.state === "running";
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (r.ok && !json) return null;  // sent to the login page: the session has ended
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (s) {
        if (s === null) { notice.textContent = labels.signedOut; notice.hidden = false; return; }
        if (show(s)) { delay = Math.min(delay * 1.2, 3000); setTimeout(poll, delay); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (reload) reload.hidden = true;
  poll();
})();
