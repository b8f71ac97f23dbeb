// Admin's autocomplete boxes (select2, Django's autocomplete_fields) are named by what they show, so an empty one has
// no accessible name (axe-core: aria-input-field-name, label). Each is named after its field's <label> here, and the
// box keeps saying what is chosen: "Loop Dana Ruiz — Staff Engineer". Runs after Django's autocomplete.js has built
// the boxes (both are jQuery ready handlers, and its is registered first), and for each inline row added later.
(function () {
  "use strict";

  function labelOf(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label && !label.id) label.id = select.id + "-label";
    return label;
  }

  function name(select) {
    var box = select.nextElementSibling;
    var label = labelOf(select);
    if (!label || !box || !box.classList.contains("select2")) return;
    var text = label.textContent.replace(/:\s*$/, "").trim();
    box.querySelectorAll('[role="combobox"]').forEach(function (combobox) {
      var shown = combobox.getAttribute("aria-labelledby") || "";
      if (shown.split(" ").indexOf(label.id) === -1) {
        combobox.setAttribute("aria-labelledby", (label.id + " " + shown).trim());
      }
    });
    box.querySelectorAll('[role="textbox"], .select2-search__field').forEach(function (field) {
      field.setAttribute("aria-label", text);
    });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
  }

  if (window.django && window.django.jQuery) window.django.jQuery(nameAll);
  // A new inline row: Django builds its boxes in its own formset:added handler, then these are named.
  document.addEventListener("formset:added", function () { window.setTimeout(nameAll, 0); });
  // A multiple box rebuilds its search field as choices are added or removed.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.admin-autocomplete")) name(event.target);
  });
})();
