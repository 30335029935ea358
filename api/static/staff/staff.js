// The staff pages work without JavaScript; with it, GOV.UK Frontend adds its behaviour (show
// password, error summary focus, the menu on small screens). Loaded as a module (no inline
// script, for the Content Security Policy).
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
