// The staff pages work without JavaScript; with it, GOV.UK Frontend adds its behaviour (show
// password, error summary focus, the menu on small screens). Loaded as a module (no inline
// script, for the Content Security Policy).
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// A page showing work still in progress (an import being checked, a candidate training, a test
// bot waking up) carries data-refresh-seconds; with JavaScript it reloads itself after that many
// seconds. Without it, its "Check again" link does the same. (No <meta http-equiv="refresh">: a
// timed refresh a person cannot stop fails WCAG 2.2.1, and axe says so.)
const inProgress = document.querySelector('[data-refresh-seconds]')
if (inProgress) {
  const seconds = Number(inProgress.getAttribute('data-refresh-seconds')) || 15
  window.setTimeout(() => window.location.reload(), seconds * 1000)
}
