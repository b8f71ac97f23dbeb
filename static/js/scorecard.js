// Interviewer pages: phase timers on the kit, and the scorecard's keyboard flow. Without JavaScript the timeboxes
// still show as text and Enter saves the draft, as a plain form does.
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

  // The form's stops in Tab order: one per radio group (its checked radio, else its first), one per other field.
  function stops(form) {
    var seen = {};
    return Array.prototype.filter.call(form.querySelectorAll("input, textarea, select, button"), function (el) {
      if (el.disabled || el.type === "hidden" || el.closest("[hidden]")) return false;
      if (el.type !== "radio") return true;
      if (seen[el.name]) return false;
      var group = form.querySelectorAll('input[type=radio][name="' + el.name + '"]');
      var chosen = Array.prototype.find.call(group, function (radio) { return radio.checked; }) || group[0];
      if (chosen !== el) return false;
      seen[el.name] = true;
      return true;
    });
  }

  function stopOf(el) {
    if (el.type !== "radio") return el;
    var group = el.form.querySelectorAll('input[type=radio][name="' + el.name + '"]');
    return Array.prototype.find.call(group, function (radio) { return radio.checked; }) || group[0];
  }

  // Enter on a score, a checkbox or a one-line field moves on to the next field instead of submitting the whole page
  // (which reloaded it and sent focus to the top); 1-5 on a score picks it. Textareas keep Enter for new lines.
  function setUpKeyboard(form) {
    form.addEventListener("keydown", function (event) {
      var el = event.target;
      if (!(el instanceof HTMLInputElement) || event.altKey || event.ctrlKey || event.metaKey) return;
      if (el.type === "radio" && /^score-/.test(el.name) && /^[1-5]$/.test(event.key)) {
        var pick = form.querySelector('input[name="' + el.name + '"][value="' + event.key + '"]');
        if (pick && !pick.checked) {
          pick.checked = true;
          pick.dispatchEvent(new Event("change", { bubbles: true }));
        }
        if (pick) pick.focus();
        event.preventDefault();
        return;
      }
      if (event.key !== "Enter" || event.shiftKey || el.type === "submit" || el.type === "button") return;
      event.preventDefault();
      var list = stops(form);
      var next = list[list.indexOf(stopOf(el)) + 1];
      if (next) next.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-phase-minutes]").forEach(setUpPhase);
    document.querySelectorAll("form[data-enter-moves-on]").forEach(setUpKeyboard);
  });
})();
