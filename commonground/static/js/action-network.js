// Draws the patch network (people, groups, organisations) as a small force-directed SVG graph.
// The same links are listed on the page as text, which is what screen readers and browsers without
// JavaScript use; the drawing is an extra.
(function () {
  "use strict";
  var holder = document.getElementById("network-graph");
  var source = document.getElementById("network-data");
  if (!holder || !source) { return; }
  var data = JSON.parse(source.textContent);
  if (!data.nodes.length) { return; }
  var svgNS = "http://www.w3.org/2000/svg";
  var width = 720, height = 420;
  var colours = { group: "#1d70b8", organisation: "#00703c", resident: "#f47738" };
  var index = {};
  var nodes = data.nodes.map(function (node, i) {
    var angle = (2 * Math.PI * i) / data.nodes.length;
    var item = { key: node.key, kind: node.kind, label: node.label, url: node.url,
      x: width / 2 + Math.cos(angle) * width / 3, y: height / 2 + Math.sin(angle) * height / 3, dx: 0, dy: 0 };
    index[node.key] = item;
    return item;
  });
  var edges = data.edges.filter(function (e) { return index[e.source] && index[e.target]; });
  var ideal = Math.max(40, Math.sqrt((width * height) / nodes.length) * 0.6);
  for (var step = 0; step < 300; step++) {
    var heat = 1 - step / 300;
    nodes.forEach(function (a) { a.dx = 0; a.dy = 0; });
    for (var i = 0; i < nodes.length; i++) {
      for (var j = i + 1; j < nodes.length; j++) {
        var a = nodes[i], b = nodes[j];
        var x = a.x - b.x, y = a.y - b.y;
        var d = Math.max(1, Math.sqrt(x * x + y * y));
        var push = (ideal * ideal) / d;
        a.dx += (x / d) * push; a.dy += (y / d) * push;
        b.dx -= (x / d) * push; b.dy -= (y / d) * push;
      }
    }
    edges.forEach(function (e) {
      var a = index[e.source], b = index[e.target];
      var x = a.x - b.x, y = a.y - b.y;
      var d = Math.max(1, Math.sqrt(x * x + y * y));
      var pull = (d * d) / ideal;
      a.dx -= (x / d) * pull; a.dy -= (y / d) * pull;
      b.dx += (x / d) * pull; b.dy += (y / d) * pull;
    });
    nodes.forEach(function (n) {
      var d = Math.max(1, Math.sqrt(n.dx * n.dx + n.dy * n.dy));
      var move = Math.min(d, 20 * heat + 1);
      n.x = Math.min(width - 40, Math.max(40, n.x + (n.dx / d) * move));
      n.y = Math.min(height - 20, Math.max(20, n.y + (n.dy / d) * move));
    });
  }
  var svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("width", "100%");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", holder.dataset.label || "Network");
  edges.forEach(function (e) {
    var line = document.createElementNS(svgNS, "line");
    line.setAttribute("x1", index[e.source].x); line.setAttribute("y1", index[e.source].y);
    line.setAttribute("x2", index[e.target].x); line.setAttribute("y2", index[e.target].y);
    line.setAttribute("stroke", "#b1b4b6"); line.setAttribute("stroke-width", "1.5");
    svg.appendChild(line);
  });
  nodes.forEach(function (n) {
    var circle = document.createElementNS(svgNS, "circle");
    circle.setAttribute("cx", n.x); circle.setAttribute("cy", n.y);
    circle.setAttribute("r", n.kind === "resident" ? 6 : 10);
    circle.setAttribute("fill", colours[n.kind] || "#505a5f");
    var title = document.createElementNS(svgNS, "title");
    title.textContent = n.label;
    circle.appendChild(title);
    svg.appendChild(circle);
    if (n.kind !== "resident") {
      var text = document.createElementNS(svgNS, "text");
      text.setAttribute("x", n.x + 13); text.setAttribute("y", n.y + 4);
      text.setAttribute("font-size", "13"); text.setAttribute("fill", "#0b0c0c");
      text.textContent = n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label;
      svg.appendChild(text);
    }
  });
  holder.appendChild(svg);
  holder.hidden = false;
}());
