// The customer's tracking page: draws the site and the crew on a map, and refreshes status, times
// and the crew's position from live.json without reloading. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var root = document.getElementById("tracking");
  var source = document.getElementById("tracking-data");
  if (!root || !source) return;
  var data = JSON.parse(source.textContent);
  var box = document.getElementById("map");
  var map = null, crewMarker = null;

  function drawMap() {
    if (!box || typeof L === "undefined") return;
    map = L.map(box, { scrollWheelZoom: false, attributionControl: Boolean(box.dataset.tileUrl) });
    if (box.dataset.tileUrl) {
      L.tileLayer(box.dataset.tileUrl, { maxZoom: 18, attribution: box.dataset.tileAttribution || "" }).addTo(map);
    }
    // Vector markers: visible without tiles or image files.
    L.circleMarker([data.site.lat, data.site.lon], {
      radius: 11, color: "#fff", weight: 3, fillColor: "#c0161b", fillOpacity: 1,
    }).addTo(map).bindTooltip(box.dataset.siteLabel, { permanent: true, direction: "top", offset: [0, -10] });
    placeCrew(data.crew);
  }

  function placeCrew(crew) {
    if (!map) return;
    if (!crew) {
      if (crewMarker) { map.removeLayer(crewMarker); crewMarker = null; }
      map.setView([data.site.lat, data.site.lon], 13);
      return;
    }
    if (!crewMarker) {
      crewMarker = L.circleMarker([crew.lat, crew.lon], {
        radius: 9, color: "#fff", weight: 3, fillColor: "#1d8a3f", fillOpacity: 1,
      }).addTo(map).bindTooltip(box.dataset.crewLabel, { permanent: true, direction: "bottom", offset: [0, 10] });
    } else {
      crewMarker.setLatLng([crew.lat, crew.lon]);
    }
    map.fitBounds([[data.site.lat, data.site.lon], [crew.lat, crew.lon]], { padding: [40, 40], maxZoom: 14 });
  }

  function setText(name, value) {
    var el = root.querySelector('[data-live="' + name + '"]');
    if (el && value !== null && value !== undefined) el.textContent = value;
  }

  function show(name, visible) {
    var el = root.querySelector('[data-live="' + name + '"]');
    if (el) el.classList.toggle("hidden", !visible);
  }

  function apply(next) {
    setText("headline", next.headline);
    show("arrival", Boolean(next.eta));
    setText("eta", next.eta);
    if (next.window) { setText("window-from", next.window[0]); setText("window-to", next.window[1]); }
    show("crew-line", Boolean(next.technician));
    setText("technician", next.technician);
    next.steps.forEach(function (step) {
      var li = root.querySelector('[data-step="' + step.key + '"]');
      if (!li) return;
      li.className = "step " + step.state;
      if (step.state === "current") li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
    placeCrew(next.crew);
    data = next;
  }

  function poll() {
    fetch(root.dataset.liveUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (next) {
        if (next) apply(next);
        if (!next || next.is_open) schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    window.setTimeout(poll, (Number(root.dataset.pollSeconds) || 20) * 1000);
  }

  drawMap();
  if (data.is_open) schedule();
})();
