// The board's keyboard: j/k move through the incidents, Enter opens one, n logs a breakdown,
// h opens the history ("/" to search is in console.js). Never while typing in a field.
(function () {
  "use strict";
  var current = -1;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#board tbody tr")); }

  function mark(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("row-focus", i === current); });
    var link = all[current].querySelector("a");
    if (link) link.focus();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") { event.preventDefault(); mark(current + 1); }
    else if (event.key === "k") { event.preventDefault(); mark(current - 1); }
    else if (event.key === "n") { event.preventDefault(); window.location.href = "/intake/"; }
    else if (event.key === "h") { event.preventDefault(); window.location.href = "/history/"; }
  });
  // A poll replaces the rows: keep the highlight on the same position.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "board" && current >= 0) {
      var all = rows();
      if (all[current]) all[current].classList.add("row-focus");
    }
  });
})();
