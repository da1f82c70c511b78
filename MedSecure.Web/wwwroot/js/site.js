// Sends ASP.NET Core's antiforgery token with HTMX requests that are not form posts
// (forms already carry the hidden field). The token comes from the htmx-config meta tag.
document.addEventListener("htmx:configRequest", function (evt) {
  if (evt.detail.verb.toUpperCase() === "GET") return;
  var af = window.htmx && htmx.config.antiForgery;
  if (!af || evt.detail.parameters[af.formFieldName]) return;
  evt.detail.headers[af.headerName] = af.requestToken;
});

// Copy and print buttons (e.g. the recovery code): hidden in the markup, so a page without
// JavaScript never shows a button that does nothing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-copy],[data-print]").forEach(function (button) { button.hidden = false; });
});
document.addEventListener("click", function (evt) {
  var button = evt.target.closest && evt.target.closest("[data-copy],[data-print]");
  if (!button) return;
  if (button.hasAttribute("data-print")) { window.print(); return; }
  var source = document.querySelector(button.getAttribute("data-copy"));
  var status = button.parentElement.querySelector("[data-copy-status]");
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    if (status) status.textContent = "Copied.";
  }, function () {
    if (status) status.textContent = "Copying was not allowed: select the code and copy it by hand.";
  });
});

// LAYOUT
// Scripts run: mark <html> so CSS can hide the no-JavaScript fallbacks (".js .no-js"), such as
// the "Show fields" button whose work HTMX already does on every tick.
document.documentElement.classList.add("js");
