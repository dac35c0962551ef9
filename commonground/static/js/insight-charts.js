// Draws the Vega-Lite charts of an area evidence page. The figures are also in the table beside each
// chart, so without JavaScript (or when a chart cannot be drawn) nothing is lost.
//
// The Content Security Policy forbids evaluating strings as code, which Vega does by default for its
// expressions; Vega's expression interpreter (vendor/vega-interpreter.js) evaluates them without it.
const source = document.getElementById("insight-charts");

async function interpreter() {
  try {
    const module = await import("../vendor/vega-interpreter.js");
    return module.expressionInterpreter;
  } catch (error) {
    return null;
  }
}

async function draw() {
  if (!source || typeof window.vegaEmbed === "undefined") { return; }
  const specs = JSON.parse(source.textContent);
  const expr = await interpreter();
  const base = { actions: false, renderer: "svg", defaultStyle: false, tooltip: { disableDefaultStyle: true } };
  const options = expr ? { ...base, ast: true, expr: expr } : base;
  document.querySelectorAll("[data-insight-chart]").forEach((element) => {
    const spec = specs[element.dataset.insightChart];
    if (!spec) { element.hidden = true; return; }
    window.vegaEmbed(element, spec, options)
      .then(() => { element.classList.add("insight-chart--drawn"); })
      .catch(() => { element.hidden = true; });
  });
}

draw();
