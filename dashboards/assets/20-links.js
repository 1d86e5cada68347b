/* A link drawn inside Markdown (the pull pages' tables and lists of evidence) to the
   Explorer opens it inside the app, as Dash's own links do: the location changes and the
   page router draws the Explorer, instead of the browser loading the whole app again.
   A click with a modifier key, or on a link to elsewhere, is left to the browser. */
document.addEventListener('click', function (event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
      || event.shiftKey || event.altKey) {
    return;
  }
  const link = event.target.closest
    && event.target.closest('.markdown-table a[href], .markdown-list a[href]');
  if (!link || (link.target && link.target !== '_self') || link.hasAttribute('download')) {
    return;
  }
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin
      || !url.pathname.startsWith('/dashboards/explorer')) {
    return;
  }
  event.preventDefault();
  window.history.pushState({}, '', url.pathname + url.search + url.hash);
  window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
  window.scrollTo(0, 0);
});
