// Ticks the SLA countdowns every second, client-side, so the colours change between board polls;
// and the one keyboard shortcut.
(function () {
  "use strict";
  function text(minutes) {
    var sign = minutes < 0 ? "-" : "";
    var total = Math.abs(minutes);
    var hours = Math.floor(total / 60);
    var rest = total % 60;
    if (hours) return sign + hours + " h " + String(rest).padStart(2, "0") + " min";
    return sign + rest + " min";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-sla-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.slaDue);
      var minutes = Math.round((due - now) / 60000);
      var warn = parseInt(el.dataset.slaWarn || "60", 10);
      // Same rule as console_tags.sla_state: red when breached or the ETA is after the deadline.
      var state = minutes <= 0 || el.dataset.slaEtaLate === "1" ? "danger" : minutes < warn ? "warning" : "ok";
      el.classList.remove("sla-ok", "sla-warning", "sla-danger");
      el.classList.add("sla-" + state);
      var label = el.querySelector(".sla-text");
      if (!label) return;
      // The server sends the translated sentence, e.g. "breached {late} ago".
      var breached = el.dataset.slaBreached || "breached {late} ago";
      label.textContent = minutes <= 0 ? breached.replace("{late}", text(-minutes)) : text(minutes);
    });
  }

  tick();
  setInterval(tick, 1000);

  // "/" jumps to the rental search from anywhere, as in most desk tools; never while typing.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey) return;
    var search = document.getElementById("rental-search") || document.getElementById("quick-find");
    if (search) {
      event.preventDefault();
      search.focus();
    }
  });
})();
