"""A static file server and headless Chromium, for tests of the pages `kgan export` writes.

Chromium is Debian's (`/usr/bin/chromium`, installed by `.ci/run`), driven by Playwright's
Python package (its own browser downloads are not used). `missing()` says why a browser test
cannot run here, for `pytest.skip`.
"""

import contextlib
import functools
import http.server
import os
import shutil
import threading

# Flags for a machine with no network beyond localhost: without the background-networking
# ones Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path():
    """The Chromium executable (`$KGAN_CHROMIUM`, else `chromium` on the PATH), or `None`."""
    return os.environ.get("KGAN_CHROMIUM") or shutil.which("chromium")


def missing():
    """Why a browser test cannot run here (a sentence), or `None` when it can."""
    if chromium_path() is None:
        return "no Chromium (apt-get install chromium, or set KGAN_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no Playwright (pip install playwright; the test extra has it)"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per request would bury the test output
        pass


@contextlib.contextmanager
def serve(folder):
    """Serves `folder` on 127.0.0.1 at a free port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=os.fspath(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def page(viewport=(800, 600)):
    """A headless Chromium page; yields `(page, errors)`, the page's console errors and
    uncaught exceptions collected in the list `errors`."""
    from playwright.sync_api import sync_playwright

    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_FLAGS)
        )
        try:
            tab = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            yield tab, errors
        finally:
            browser.close()


def wait_until_drawn(tab, timeout_ms=60_000):
    """Waits for the page to finish (`data-status` `drawn`, `ready` or `error`); returns it."""
    tab.wait_for_selector(
        "body[data-status=drawn], body[data-status=ready], body[data-status=error]",
        timeout=timeout_ms,
    )
    return tab.evaluate("document.body.dataset.status")
