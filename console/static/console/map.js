// The incident map: job site, suggested machines and technicians. Tiles only when a tile server
// is configured (MAP_TILE_URL); without one the markers still show on a plain background.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!box || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = L.map(box, { scrollWheelZoom: false, attributionControl: Boolean(data.tile_url) });
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 18, attribution: data.tile_attribution || "" }).addTo(map);
  }
  var bounds = [];
  function marker(point, color, radius, kind, permanent) {
    var m = L.circleMarker([point.lat, point.lon], {
      radius: radius, color: "#fff", weight: 2, fillColor: color, fillOpacity: 1,
    }).addTo(map);
    // Without tiles there is no street to read, so machines carry their fleet number permanently.
    m.bindTooltip(permanent ? point.short : kind + ": " + point.label,
                  { permanent: Boolean(permanent), direction: "right", offset: [8, 0] });
    if (permanent) m.bindPopup(kind + ": " + point.label);
    bounds.push([point.lat, point.lon]);
  }
  // Circle markers are vectors: they need no image files and no tiles to be visible.
  // The site goes first so that nearby machines and crews are drawn on top of it.
  marker(data.site, "#c0161b", 11, box.dataset.siteLabel || "Job site", false);
  data.technicians.forEach(function (p) { marker(p, "#1d8a3f", 7, box.dataset.techLabel || "Technician", false); });
  data.machines.forEach(function (p) { marker(p, "#0b4f8a", 8, box.dataset.machineLabel || "Machine", true); });
  if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
  } else {
    map.setView(bounds[0], 12);
  }
  if (!data.tile_url) {
    L.control.scale({ imperial: false }).addTo(map);
  }
})();
