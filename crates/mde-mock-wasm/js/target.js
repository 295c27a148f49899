// The path and the query of a request, as the native mock reads them: wiremock parses every request target into
// a WHATWG URL (the `url` crate), so dot segments are resolved (`/api/x/%2e%2e/y` is `/api/y`), and characters
// that a URL's query encodes are percent-encoded (a raw `'` is `%27`), before the engine sees them. Node's `http`
// gives the target as sent; the Fetch API's `Request` gives a URL already parsed so.

/** The query string of `url` (a WHATWG URL) without `?`, as sent; undefined without one (a bare `?` is empty). */
export function queryOf(url) {
  if (url.search) return url.search.slice(1);
  const href = url.href;
  const hash = href.indexOf('#');
  return (hash < 0 ? href : href.slice(0, hash)).endsWith('?') ? '' : undefined;
}

/**
 * The path and the query (without `?`, undefined without one) of a request target: origin form (`/path?query`),
 * absolute form (`http://host/path`), or anything else (`*`), which is kept as the path.
 */
export function pathAndQuery(target) {
  let url;
  try {
    url = new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    return [target, undefined];
  }
  return [url.pathname, queryOf(url)];
}
