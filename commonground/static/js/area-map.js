// Draws LSOAs shaded by IMD decile on a Leaflet map without any tile server, so it works offline.
// On the neighbourhood editor (data-selectable) a click on an area ticks its checkbox in the list.
(function () {
  "use strict";
  var element = document.getElementById("area-map");
  if (!element || typeof L === "undefined") { return; }
  var colours = ["#7f0000", "#b30000", "#d7301f", "#ef6548", "#fc8d59", "#fdbb84", "#fdd49e", "#fee8c8", "#fff7ec", "#ffffff"];
  var selectable = element.dataset.selectable === "true";
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("ONS, MHCLG (OGL v3). Contains OS data © Crown copyright");
  var tileUrl = document.body.dataset.tileUrl;
  if (tileUrl) { L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map); }

  function checkbox(code) {
    return document.querySelector('#lsoa-checkboxes input[value="' + code + '"]');
  }
  function summarise() {
    var summary = document.getElementById("selection-summary");
    if (!summary) { return; }
    var boxes = document.querySelectorAll("#lsoa-checkboxes input:checked");
    var population = 0;
    boxes.forEach(function (box) {
      var match = box.labels[0].textContent.match(/population (\d+)/);
      if (match) { population += parseInt(match[1], 10); }
    });
    summary.textContent = boxes.length + " LSOAs chosen, about " + population.toLocaleString("en-GB") + " residents.";
  }
  function style(feature) {
    var chosen = selectable && checkbox(feature.properties.code) && checkbox(feature.properties.code).checked;
    return {
      color: chosen ? "#1d70b8" : "#505a5f",
      weight: chosen ? 4 : 1,
      fillColor: colours[(feature.properties.imd_decile || 10) - 1],
      fillOpacity: 0.75
    };
  }
  fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var text = p.name + " (" + p.code + "): IMD decile " + p.imd_decile + ", population " + (p.population || "unknown");
          shape.bindTooltip(text);
          if (selectable) {
            shape.on("click", function () {
              var box = checkbox(p.code);
              if (box) { box.checked = !box.checked; layer.setStyle(style); summarise(); }
            });
          } else {
            shape.on("click", function () { window.location.href = p.url; });
          }
        }
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      else { map.setView([51.38, -2.36], 11); }
      if (selectable) {
        document.querySelectorAll("#lsoa-checkboxes input").forEach(function (box) {
          box.addEventListener("change", function () { layer.setStyle(style); summarise(); });
        });
        summarise();
      }
    });
})();
