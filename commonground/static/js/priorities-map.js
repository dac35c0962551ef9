// Draws the proposed patches over the authority's LSOAs (shaded by IMD decile) without any tile
// server, so it works offline. Each patch gets a thick outline and its number from the table.
(function () {
  "use strict";
  var element = document.getElementById("priorities-map");
  if (!element || typeof L === "undefined") { return; }
  var source = document.getElementById(element.dataset.mapData);
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#7f0000", "#b30000", "#d7301f", "#ef6548", "#fc8d59", "#fdbb84", "#fdd49e", "#fee8c8", "#fff7ec", "#ffffff"];
  var patchOf = {};
  data.patches.forEach(function (patch) {
    patch.lsoas.forEach(function (code) { patchOf[code] = patch; });
  });
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("ONS, MHCLG (OGL v3). Contains OS data © Crown copyright");
  var tileUrl = document.body.dataset.tileUrl;
  if (tileUrl) { L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map); }

  function style(feature) {
    var inPatch = Boolean(patchOf[feature.properties.code]);
    return {
      color: inPatch ? "#1d70b8" : "#505a5f",
      weight: inPatch ? 4 : 1,
      fillColor: colours[(feature.properties.imd_decile || 10) - 1],
      fillOpacity: inPatch ? 0.85 : 0.45
    };
  }

  fetch(data.geojson_url, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (geojson) {
      var boundsOfPatch = {};
      var layer = L.geoJSON(geojson, {
        style: style,
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var patch = patchOf[p.code];
          var text = p.name + " (" + p.code + "): IMD decile " + p.imd_decile + ", population " + (p.population || "unknown");
          if (patch) {
            text = "Patch " + patch.number + " – " + patch.name + ". " + text;
            boundsOfPatch[patch.number] = boundsOfPatch[patch.number]
              ? boundsOfPatch[patch.number].extend(shape.getBounds())
              : L.latLngBounds(shape.getBounds().getSouthWest(), shape.getBounds().getNorthEast());
          }
          shape.bindTooltip(text);
          shape.on("click", function () {
            if (patch) {
              var target = document.getElementById("patch-" + patch.number);
              if (target) { target.scrollIntoView(); target.focus({ preventScroll: true }); }
            } else {
              window.location.href = p.url;
            }
          });
        }
      }).addTo(map);
      data.patches.forEach(function (patch) {
        var bounds = boundsOfPatch[patch.number];
        if (!bounds) { return; }
        L.tooltip({ permanent: true, direction: "center", className: "leaflet-tooltip-patch" })
          .setLatLng(bounds.getCenter())
          .setContent(String(patch.number))
          .addTo(map);
      });
      // Open on the patches (they are often small town-centre areas), with the rest around them.
      var patchBounds = null;
      Object.keys(boundsOfPatch).forEach(function (number) {
        patchBounds = patchBounds ? patchBounds.extend(boundsOfPatch[number]) : L.latLngBounds(boundsOfPatch[number].getSouthWest(), boundsOfPatch[number].getNorthEast());
      });
      if (patchBounds) { map.fitBounds(patchBounds, { padding: [30, 30] }); }
      else if (geojson.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      else { map.setView([51.38, -2.36], 11); }
    });
})();
