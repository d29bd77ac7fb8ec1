/** Browsers ask for /favicon.ico whatever the page declares: answer with the same mark as an SVG. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="13" fill="#4338ca"/><circle cx="21" cy="12" r="9" fill="#f8fafc"/></svg>';

export const loader = () =>
  new Response(ICON, { headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' } });
