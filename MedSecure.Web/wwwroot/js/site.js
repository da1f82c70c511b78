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

// Times: the server writes UTC (and says so); here they become the reader's own time and zone,
// e.g. "1 Dec 2026, 15:15 EST", also in content HTMX swaps in later.
function localTimes(root) {
  root.querySelectorAll("time[datetime]:not([data-local])").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (isNaN(at)) return;
    var secs = /\d:\d\d:\d\d/.test(el.textContent);
    var opts = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (secs) opts.second = "2-digit";
    var zone = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(at)
      .filter(function (p) { return p.type === "timeZoneName"; })[0];
    el.setAttribute("title", el.textContent.trim());
    el.textContent = new Intl.DateTimeFormat("en-GB", opts).format(at) + (zone ? " " + zone.value : "");
    el.setAttribute("data-local", "");
  });
}
document.addEventListener("DOMContentLoaded", function () { localTimes(document); });
document.addEventListener("htmx:load", function (evt) { localTimes(evt.detail.elt.parentNode || document); });
// Scripts run: mark <html> so CSS can hide the no-JavaScript fallbacks (".js .no-js"), such as
// the "Show fields" button whose work HTMX already does on every tick.
document.documentElement.classList.add("js");
