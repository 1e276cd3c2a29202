// Starts the NHS.UK frontend components. Loaded as a module, so it runs
// only in browsers the frontend supports; the classes below are what the
// frontend's inline snippet would set, moved here because the
// Content-Security-Policy allows no inline script.
import { initAll } from './vendor/nhsuk/nhsuk-frontend.min.js';

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();
