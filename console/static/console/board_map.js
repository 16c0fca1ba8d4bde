// The board's map beside the list: job sites coloured by SLA, crews on shift, replacements on the
// road (a line to the site). Refreshed with the table; a click on a site opens the incident.
(function () {
  "use strict";
  var box = document.getElementById("board-map");
  if (!box || typeof L === "undefined") return;
  var colours = { ok: "#1d6b35", warning: "#c98a00", danger: "#c0161b" };
  var map = L.map(box, { scrollWheelZoom: false, keyboard: false, attributionControl: false }).setView([42.5, 12.5], 5);
  var layer = L.layerGroup().addTo(map);
  var first = true;

  function draw(data) {
    layer.clearLayers();
    var bounds = [];
    data.crews.forEach(function (crew) {
      L.circleMarker([crew.lat, crew.lon], { radius: 4, color: "#fff", weight: 1, fillColor: "#1d8a3f", fillOpacity: 1, keyboard: false })
        .bindTooltip(crew.label).addTo(layer);
    });
    data.on_the_road.forEach(function (leg) {
      L.polyline([[leg.lat, leg.lon], leg.to], { color: "#4b2a91", weight: 2, dashArray: "4 4", interactive: false }).addTo(layer);
      L.circleMarker([leg.lat, leg.lon], { radius: 6, color: "#fff", weight: 2, fillColor: "#4b2a91", fillOpacity: 1, keyboard: false })
        .bindTooltip(leg.label).addTo(layer);
    });
    data.sites.forEach(function (site) {
      var marker = L.circleMarker([site.lat, site.lon], {
        radius: 8, color: "#fff", weight: 2, fillColor: colours[site.sla] || colours.ok, fillOpacity: 1, keyboard: false,
      }).bindTooltip(site.label).addTo(layer);
      marker.on("click", function () { window.location.href = site.url; });
      bounds.push([site.lat, site.lon]);
    });
    if (first && bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 7 });
    }
    first = false;
  }

  function refresh() {
    fetch(box.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (first) {
          window.ProntoBasemap.add(map, {
            tileUrl: data.tile_url, attribution: data.tile_attribution, countriesUrl: box.dataset.countries, towns: data.towns,
          });
        }
        draw(data);
      });
  }

  refresh();
  setInterval(refresh, (parseInt(box.dataset.poll, 10) || 5) * 1000);
})();
