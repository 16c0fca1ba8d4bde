// The map is never blank: with a tile server (MAP_TILE_URL) its tiles; without one, Italy and its
// neighbours from Natural Earth (world-atlas, shipped in static/vendor) drawn as vectors, with the
// depots' towns as quiet labels in a pane *below* the markers, so a label never hides a site.
(function () {
  "use strict";
  var cache = null;

  function countries(url) {
    if (!cache) {
      cache = fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    }
    return cache;
  }

  window.ProntoBasemap = {
    add: function (map, options) {
      if (options.tileUrl) {
        L.tileLayer(options.tileUrl, { maxZoom: 18, attribution: options.attribution || "" }).addTo(map);
        return;
      }
      map.getContainer().classList.add("basemap-offline");
      map.createPane("land").style.zIndex = 200;
      map.createPane("towns").style.zIndex = 350;
      map.getPane("towns").style.pointerEvents = "none";
      if (options.countriesUrl && typeof topojson !== "undefined") {
        countries(options.countriesUrl).then(function (world) {
          var shapes = topojson.feature(world, world.objects.countries);
          L.geoJSON(shapes, {
            pane: "land",
            interactive: false,
            style: function (feature) {
              var italy = feature.properties && feature.properties.name === "Italy";
              return { color: "#8a96a1", weight: italy ? 1.2 : 0.6, fillColor: italy ? "#fbfaf6" : "#e9ebe6", fillOpacity: 1 };
            },
          }).addTo(map);
        });
      }
      (options.towns || []).forEach(function (town) {
        L.marker([town.lat, town.lon], {
          pane: "towns",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "town", html: "<span>" + town.name.replace(/</g, "&lt;") + "</span>", iconSize: null }),
        }).addTo(map);
      });
    },
  };
})();
