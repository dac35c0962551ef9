// A canvass patch on a Leaflet map without a tile server: its LSOAs shaded by how many conversations
// the assigned organiser has had there, and its streets as points. The same figures are in a table.
(function () {
  "use strict";
  var element = document.getElementById("assignment-map");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("ONS (OGL v3). Contains OS data © Crown copyright");
  var shades = ["#f3f2f1", "#c5e0dc", "#8cc2ba", "#4f9d93", "#00594f"];
  function shade(n, most) {
    if (!n) { return shades[0]; }
    return shades[Math.min(4, 1 + Math.floor(3 * n / Math.max(most, 1)))];
  }
  fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var most = Math.max.apply(null, data.features.map(function (f) { return f.properties.conversations; }).concat([0]));
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return { color: "#0b0c0c", weight: 1, fillColor: shade(feature.properties.conversations, most), fillOpacity: 0.8 };
        },
        onEachFeature: function (feature, shape) {
          shape.bindTooltip(feature.properties.name + ": " + feature.properties.conversations);
        }
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      else { map.setView([51.38, -2.36], 12); }
      // Markers need the map's view, so they go on after it is set.
      (data.streets || []).forEach(function (street) {
        L.circleMarker([street.lat, street.lon], { radius: 6, color: "#1d70b8" }).bindTooltip(street.name).addTo(map);
      });
    });
})();
