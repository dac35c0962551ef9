// Starts GOV.UK Frontend's components. Loaded as a module file so the Content Security Policy can
// forbid inline scripts.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
