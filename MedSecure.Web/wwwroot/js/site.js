// Sends ASP.NET Core's antiforgery token with HTMX requests that are not form posts
// (forms already carry the hidden field). The token comes from the htmx-config meta tag.
document.addEventListener("htmx:configRequest", function (evt) {
  if (evt.detail.verb.toUpperCase() === "GET") return;
  var af = window.htmx && htmx.config.antiForgery;
  if (!af || evt.detail.parameters[af.formFieldName]) return;
  evt.detail.headers[af.headerName] = af.requestToken;
});
