// Countersign console: copy buttons and the live progress of a bulk replay.
// Every page works without this file; it only adds convenience.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.copy");
    if (!b) return;
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el || !navigator.clipboard) return;
    navigator.clipboard.writeText(el.textContent).then(function () { b.textContent = "Copied"; });
  });

  function poll(box) {
    var url = box.getAttribute("data-progress");
    var bar = document.getElementById("replay-bar");
    var count = document.getElementById("replay-count");
    var status = document.getElementById("replay-status");
    function step() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (p) {
          bar.max = p.total; bar.value = p.done;
          count.textContent = p.done + " / " + p.total;
          status.textContent = "";
          var s = document.createElement("span");
          s.className = "badge b-" + p.status; s.textContent = p.status;
          status.appendChild(s);
          if (p.status === "running") {
            setTimeout(step, 1000);
          } else if (box.getAttribute("data-status") === "running") {
            window.location.reload(); // the finished replay's page: end time, no cancel button
          } else {
            box.setAttribute("data-finished", p.status);
          }
        })
        .catch(function () { setTimeout(step, 5000); });
    }
    step();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("replay");
    if (box) poll(box);
  });
})();
