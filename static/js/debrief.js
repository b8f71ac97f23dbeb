// Debrief page: click (or Enter on) a heat-map cell to read its evidence below the map;
// ask before recording a No hire. Without JavaScript the evidence is in each cell's title
// and the form posts straight away.
(function () {
  "use strict";

  function showEvidence(cell) {
    var panel = document.getElementById("evidence-panel");
    if (!panel || !cell) return;
    var who = cell.getAttribute("data-who"), dimension = cell.getAttribute("data-dimension");
    panel.textContent = who + " · " + dimension + " (" + cell.textContent.trim() + "): " +
      (cell.getAttribute("data-evidence") || "no evidence written");
    panel.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var cell = event.target.closest(".heatmap [data-evidence]");
    if (cell) showEvidence(cell);
    var confirmable = event.target.closest("button[data-confirm]");
    if (confirmable && !window.confirm(confirmable.getAttribute("data-confirm"))) event.preventDefault();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var cell = event.target.closest && event.target.closest(".heatmap [data-evidence]");
    if (cell) showEvidence(cell);
  });
})();
