// The console's behaviour: htmx for server round trips, Alpine.js for the
// small bits of client state (side navigation, menus, disclosure panels).
import htmx from "htmx.org";
import Alpine from "alpinejs";

// No inline <style> from htmx: the Content-Security-Policy allows only our
// own stylesheet; the indicator styles live in app.css.
htmx.config.includeIndicatorStyles = false;
// Keep history snapshots out of localStorage: pages may show personal data.
htmx.config.historyCacheSize = 0;
// Errors are not swapped (they raise htmx:responseError, shown below)
// unless the server marks the answer as a fragment (see htmx:beforeSwap).
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "[45]..", swap: false, error: true },
];

// A fragment the server rendered on purpose (a form with its errors, a table
// with a notice) is swapped whatever its status; see FRAGMENT_HEADER in shell.py.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.getResponseHeader("X-Console-Fragment") === "true") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

window.htmx = htmx;
window.Alpine = Alpine;

// A failed htmx request (network down, server error) gets a visible notice
// instead of silently doing nothing.
document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("request-error");
  if (box) {
    box.hidden = false;
    box.querySelector("[data-status]").textContent = String(event.detail.xhr.status);
  }
});
document.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("request-error");
  if (box) {
    box.hidden = false;
    box.querySelector("[data-status]").textContent = "—";
  }
});

Alpine.start();
