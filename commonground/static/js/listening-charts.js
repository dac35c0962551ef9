// Draws each Vega-Lite chart whose spec the page holds in a JSON script element. The page also has a
// table of the same figures, so nothing is lost without JavaScript or when a chart cannot be drawn.
// The Content Security Policy forbids evaluating strings as code, so Vega's expressions go through
// its interpreter (vendor/vega-interpreter.js), and vega-embed adds no inline styles.
async function interpreter() {
  try {
    const module = await import("../vendor/vega-interpreter.js");
    return module.expressionInterpreter;
  } catch (error) {
    return null;
  }
}

async function draw() {
  if (typeof window.vegaEmbed === "undefined") { return; }
  const expr = await interpreter();
  const base = { actions: false, renderer: "svg", defaultStyle: false, tooltip: { disableDefaultStyle: true } };
  const options = expr ? { ...base, ast: true, expr: expr } : base;
  document.querySelectorAll("[data-vega-spec]").forEach((element) => {
    const source = document.getElementById(element.dataset.vegaSpec);
    if (!source) { return; }
    window.vegaEmbed(element, JSON.parse(source.textContent), options).catch(() => { element.hidden = true; });
  });
}

draw();
