// The incident map: job site, suggested machines and technicians, on the tile server when one is
// configured (MAP_TILE_URL) and on the offline basemap (basemap.js) otherwise.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!box || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = L.map(box, { scrollWheelZoom: false, keyboard: false, attributionControl: Boolean(data.tile_url) });
  if (window.ProntoBasemap) {
    window.ProntoBasemap.add(map, {
      tileUrl: data.tile_url, attribution: data.tile_attribution, countriesUrl: box.dataset.countries, towns: data.towns,
    });
  }
  // The site sits above every label: a machine's fleet number never hides where the customer is.
  map.createPane("labels").style.zIndex = 450;
  map.createPane("site").style.zIndex = 500;
  var bounds = [];
  function marker(point, color, radius, kind, permanent, pane) {
    var m = L.circleMarker([point.lat, point.lon], {
      radius: radius, color: "#fff", weight: 2, fillColor: color, fillOpacity: 1, keyboard: false, pane: pane || "overlayPane",
    }).addTo(map);
    // Without tiles there is no street to read, so machines carry their fleet number permanently.
    m.bindTooltip(permanent ? point.short : kind + ": " + point.label,
                  { permanent: Boolean(permanent), direction: "right", offset: [8, 0], pane: permanent ? "labels" : "tooltipPane" });
    if (permanent) m.bindPopup(kind + ": " + point.label);
    bounds.push([point.lat, point.lon]);
  }
  // Circle markers are vectors: they need no image files and no tiles to be visible.
  // The site goes first so that nearby machines and crews are drawn on top of it.
  marker(data.site, "#c0161b", 11, box.dataset.siteLabel || "Job site", false, "site");
  // Machines in the same yard share one marker and one label ("PR0000002, PR0000004").
  var yards = {};
  data.machines.forEach(function (p) {
    var key = p.lat.toFixed(4) + "," + p.lon.toFixed(4);
    if (yards[key]) {
      yards[key].short += ", " + p.short;
      yards[key].label += "; " + p.label;
    } else {
      yards[key] = { lat: p.lat, lon: p.lon, short: p.short, label: p.label };
    }
  });
  Object.keys(yards).forEach(function (key) {
    marker(yards[key], "#0b4f8a", 9, box.dataset.machineLabel || "Machine", true);
  });
  // Crews last and smaller, so a crew waiting in a machine's yard still shows inside its marker.
  data.technicians.forEach(function (p) { marker(p, "#1d8a3f", 5, box.dataset.techLabel || "Technician", false); });
  if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
  } else {
    map.setView(bounds[0], 12);
  }
  if (!data.tile_url) {
    L.control.scale({ imperial: false }).addTo(map);
  }
})();
