// Shows the assessor's weighted total (out of 100) as they score, the same sum the server makes:
// each criterion's score as a share of its highest score, times its weight. The wording comes from
// the page, translated there. Without JavaScript the form works the same and the total appears
// once the scores are saved.
const form = document.getElementById("score-form");
const output = document.getElementById("score-total");

function update() {
  const groups = [...form.querySelectorAll("fieldset[data-weight]")];
  let weights = 0;
  let points = 0;
  let scored = 0;
  for (const group of groups) {
    const weight = Number(group.dataset.weight);
    const max = Number(group.dataset.max);
    const select = group.querySelector("select");
    weights += weight;
    if (select && select.value !== "") {
      points += (weight * Number(select.value)) / max;
      scored += 1;
    }
  }
  output.hidden = false;
  if (scored < groups.length) {
    output.textContent = output.dataset.partial
      .replace("{scored}", scored)
      .replace("{count}", groups.length);
  } else {
    const total = ((points / weights) * 100).toFixed(1);
    output.textContent = output.dataset.complete.replace("{total}", total);
  }
}

if (form && output) {
  form.addEventListener("change", update);
  update();
}
