// Interviewer pages: phase timers on the kit. Without JavaScript the timeboxes still show as text.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }
  function show(output, seconds) {
    var s = Math.abs(seconds);
    output.textContent = (seconds < 0 ? "+" : "") + Math.floor(s / 60) + ":" + pad(s % 60);
    output.classList.toggle("over", seconds < 0);
  }

  function setUpPhase(phase) {
    var minutes = parseInt(phase.getAttribute("data-phase-minutes"), 10) || 0;
    var output = phase.querySelector(".timer");
    var toggle = phase.querySelector(".timer-toggle");
    var reset = phase.querySelector(".timer-reset");
    if (!output || !toggle || !reset) return;
    var total = minutes * 60, left = total, handle = null, last = 0;

    function step() {
      var now = Date.now();
      var elapsed = Math.floor((now - last) / 1000);
      if (elapsed >= 1) { left -= elapsed; last += elapsed * 1000; show(output, left); }
    }
    function stop() { clearInterval(handle); handle = null; toggle.textContent = "Start"; phase.classList.remove("running"); }
    toggle.hidden = false;
    reset.hidden = false;
    toggle.addEventListener("click", function () {
      if (handle) { stop(); return; }
      last = Date.now();
      handle = setInterval(step, 250);
      toggle.textContent = "Pause";
      phase.classList.add("running");
    });
    reset.addEventListener("click", function () { stop(); left = total; show(output, left); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-phase-minutes]").forEach(setUpPhase);
  });
})();
