// Starts GOV.UK Frontend's components. Loaded as a module file so the Content Security Policy can
// forbid inline scripts.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// The skip link moves the focus itself. Keeping "#main-content" out of the address matters: a form
// posted afterwards would carry the fragment to the next page, where the browser's jump to it drops
// the focus that GOV.UK Frontend's error summary had taken.
document.querySelectorAll(".govuk-skip-link").forEach((link) => {
  link.addEventListener("click", (event) => event.preventDefault());
});
