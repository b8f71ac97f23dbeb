// Schedule page: prefill each interview's times as the recruiter types (the server applies the same defaults
// without this script): an empty end is the start plus the row's length, an empty start the end of the
// interview before it. A time the recruiter typed is never replaced; one this script filled follows its inputs.
// Picking a position sets the length of the rows whose length was not chosen by hand to its rubric's, and when
// the position has rounds, gives each row its round in order (with the round's length and counting); a row's
// round offers only the chosen position's rounds. Picking a round sets its row's length and counting.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "2030-05-06T10:00" plus minutes, as wall-clock time (the page's inputs are in one zone).
  function plus(value, minutes) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
    if (!m) return "";
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5] + minutes));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + "T" +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  function rows() {
    return Array.prototype.map.call(document.querySelectorAll(".schedule-form .interview-row"), function (row) {
      return {
        interviewer: row.querySelector("select[name$='-interviewer']"),
        round: row.querySelector("select[name$='-round']"),
        counts: row.querySelector("input[name$='-counts_toward_decision']"),
        start: row.querySelector("input[name$='-scheduled_start']"),
        duration: row.querySelector("select[name$='-duration']"),
        end: row.querySelector("input[name$='-scheduled_end']")
      };
    });
  }

  function fill(input, value) {
    if (input.value && !input.hasAttribute("data-filled")) return;  // typed: it stays
    input.value = value;
    if (value) input.setAttribute("data-filled", ""); else input.removeAttribute("data-filled");
  }

  function recompute() {
    var previousEnd = "";
    rows().forEach(function (row) {
      if (!row.interviewer || !row.start || !row.end || !row.duration) return;
      if (!row.interviewer.value) {
        fill(row.start, "");
        fill(row.end, "");
        return;
      }
      fill(row.start, previousEnd);
      fill(row.end, row.start.value ? plus(row.start.value, parseInt(row.duration.value, 10) || 60) : "");
      if (row.end.value) previousEnd = row.end.value;
    });
  }

  function optionOf(select) { return select && select.options[select.selectedIndex]; }

  function takeRound(row) {
    var option = optionOf(row.round);
    if (!option || !option.value) return;
    if (row.duration && !row.duration.hasAttribute("data-chosen")) row.duration.value = option.getAttribute("data-minutes");
    if (row.counts) row.counts.checked = option.getAttribute("data-counts") === "1";
  }

  function offerRounds(positionOption) {
    var position = positionOption ? positionOption.value : "";
    var ids = ((positionOption && positionOption.getAttribute("data-rounds")) || "").split(" ").filter(Boolean);
    rows().forEach(function (row, index) {
      if (!row.round) return;
      Array.prototype.forEach.call(row.round.options, function (option) {
        option.hidden = !!option.value && option.getAttribute("data-position") !== position;
      });
      var current = optionOf(row.round);
      if (ids.length) {
        row.round.value = ids[index] || "";
        takeRound(row);
      } else if (current && current.hidden) {
        row.round.value = "";
      }
    });
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest(".schedule-form")) return;
    if (/-scheduled_(start|end)$/.test(target.name)) target.removeAttribute("data-filled");
    if (/-duration$/.test(target.name)) target.setAttribute("data-chosen", "");
    recompute();
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest(".schedule-form")) return;
    if (/-round$/.test(target.name)) {
      rows().forEach(function (row) { if (row.round === target) takeRound(row); });
    }
    if (target.name === "position") {
      offerRounds(target.options[target.selectedIndex]);
      var option = target.options[target.selectedIndex];
      var minutes = option && option.getAttribute("data-minutes");
      if (minutes) {
        rows().forEach(function (row) {
          if (row.round && row.round.value) return;  // a round gives its own length
          if (row.duration && !row.duration.hasAttribute("data-chosen")) row.duration.value = minutes;
        });
      }
    }
    recompute();
  });
  var position = document.querySelector(".schedule-form select[name='position']");
  if (position) {
    // Only the chosen position's rounds are offered; the server-rendered rows keep their values.
    var chosen = optionOf(position);
    rows().forEach(function (row) {
      if (!row.round) return;
      Array.prototype.forEach.call(row.round.options, function (option) {
        option.hidden = !!option.value && option.getAttribute("data-position") !== (chosen ? chosen.value : "");
      });
    });
  }
})();
