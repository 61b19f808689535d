"""The only way a letter reaches anything outside its own HTML: our assets, and `data:` images.

A letter carries text a customer or an agent typed. Autoescaping keeps that text from becoming
markup, and this fetcher is the second wall: were markup ever to slip through, WeasyPrint would
still fetch nothing else — no `file://` (a canary or /etc/passwd attached to the PDF), no
`http(s)://` (the cloud metadata address), no redirects. A refused URL raises; WeasyPrint logs it
and skips the resource, and the letter renders without it.
"""

from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
# Our stylesheet and template name assets as `letter-asset:fonts/…`; the HTML's base URL is the
# scheme alone, so a relative URL joins to nothing fetchable.
SCHEME = "letter-asset:"
BASE_URL = SCHEME + "/"

CONTENT_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".css": "text/css",
}


class RefusedURL(ValueError):
    pass


def asset_path(name: str) -> Path:
    """The file `name` inside the assets folder, or RefusedURL (`..`, absolute paths, symlinks out,
    other file types)."""
    name = name.lstrip("/")
    path = (ASSETS_DIR / name).resolve()
    if not path.is_relative_to(ASSETS_DIR) or path.suffix.lower() not in CONTENT_TYPES or not path.is_file():
        raise RefusedURL(f"Not a letter asset: {name!r}")
    return path


class LetterAssetFetcher(URLFetcher):
    """WeasyPrint's fetcher reduced to `letter-asset:` files and `data:` URLs."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        self._cache = {}

    def fetch(self, url, headers=None):
        if url.startswith(SCHEME):
            return self._asset(url.removeprefix(SCHEME).split("?")[0].split("#")[0])
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        raise RefusedURL(f"Letters fetch only their own assets, not {url[:200]!r}")

    def _asset(self, name):
        # The files never change while the process runs: read each once.
        if name not in self._cache:
            path = asset_path(name)
            self._cache[name] = (path.read_bytes(), CONTENT_TYPES[path.suffix.lower()])
        body, content_type = self._cache[name]
        return URLFetcherResponse(SCHEME + name, body, {"Content-Type": content_type})
