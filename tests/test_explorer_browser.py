"""The explorer page in a real (headless) Chromium against a real server: the
numbers it shows are fi.train's, a reload reproduces the picture, and the page
asks no other host for anything."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest.importorskip("starlette", reason="the explorer needs Starlette (pip install '.[serve]')")
pytest.importorskip("uvicorn", reason="the explorer needs uvicorn (pip install '.[serve]')")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="Playwright for Python is not installed")
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("no chromium on PATH", allow_module_level=True)

import fastinit as fi  # noqa: E402
from fastinit.serve.settings import parse_settings, python_code  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
CANVASES = ("cost", "boundary-a", "boundary-b", "phase", "forward", "backward", "fractions")


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(base, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/options", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {seconds} s")


@pytest.fixture(scope="module")
def base():
    port = _free_port()
    code = ("import uvicorn\nfrom fastinit.serve.app import create_app\n"
            f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')\n")
    process = subprocess.Popen([sys.executable, "-c", code])
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(address, process)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


class Watched:
    """A page whose requests to other hosts are refused and recorded, with its
    console errors."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1366, "height": 768})
        self.foreign, self.errors = [], []
        self.page.route("**/*", self._route)
        self.page.on("websocket", lambda socket: self._check(socket.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _check(self, url):
        if urlsplit(url).hostname != "127.0.0.1":
            self.foreign.append(url)
            return False
        return True

    def _route(self, route):
        if self._check(route.request.url):
            route.continue_()
        else:
            route.abort()


@pytest.fixture
def watched(browser):
    watched = Watched(browser)
    yield watched
    watched.page.close()
    assert watched.foreign == []
    assert watched.errors == []


def drawn(page, timeout=30_000):
    """Wait until the answer to the last message sent is drawn; the page's
    milliseconds from that change to the last panel drawn."""
    page.wait_for_function("() => document.body.dataset.sent && document.body.dataset.drawn === "
                           "document.body.dataset.sent && document.body.dataset.state !== 'busy'",
                           timeout=timeout)
    assert page.evaluate("document.body.dataset.state") == "idle", \
        page.inner_text("body")[:2000]
    return float(page.evaluate("document.body.dataset.lastMs"))


def shown_numbers(page):
    return {label: {name: json.loads(page.get_attribute(f"#row-{label} .{name}", "data-value"))
                    for name in ("final-cost", "train-accuracy", "test-accuracy")}
            for label in "AB"}


def computed_numbers(url):
    """What fi.train gives for the page's address, through the calls 'Copy as Python' writes."""
    settings = parse_settings(dict(parse_qsl(urlsplit(url).query)), ("circles", "moons", "digits"))
    scope = {}
    exec(python_code(settings), scope)  # noqa: S102 - our own generated code
    _, _, test_X, test_Y = fi.datasets.load_dataset(settings.data)
    train_X, train_Y = scope["train_X"], scope["train_Y"]
    hidden = {"activation": settings.act, "negative_slope": settings.slope}
    return {label: {"final-cost": result.final_cost,
                    "train-accuracy": fi.accuracy(train_X, train_Y, result.parameters, **hidden),
                    "test-accuracy": fi.accuracy(test_X, test_Y, result.parameters, **hidden)}
            for label, result in scope["results"].items()}


def pictures(page):
    return page.evaluate(f"{list(CANVASES)}.map(id => document.getElementById(id).toDataURL())")


def test_the_page_shows_what_fi_train_computes_and_a_reload_reproduces_it(base, watched,
                                                                          tmp_path):
    page = watched.page
    page.goto(base)
    drawn(page)
    assert shown_numbers(page) == computed_numbers(page.url)

    page.select_option("#control-b", "orthogonal")
    drawn(page)
    page.fill("#control-depth", "4")
    page.fill("#control-seed", "5")
    drawn(page)
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query["b"] == "orthogonal" and query["depth"] == "4" and query["seed"] == "5"
    assert shown_numbers(page) == computed_numbers(page.url)

    # A dragged slider: every step is sent, only the last one is drawn.
    page.focus("#control-depth")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    drawn(page)
    assert dict(parse_qsl(urlsplit(page.url).query))["depth"] == "7"
    assert shown_numbers(page) == computed_numbers(page.url)

    numbers, picture, address = shown_numbers(page), pictures(page), page.url
    page.reload()
    drawn(page)
    assert page.url == address
    assert shown_numbers(page) == numbers
    assert pictures(page) == picture

    page.screenshot(path=str(tmp_path / "explorer.png"))
    if os.environ.get("FASTINIT_SCREENSHOT") == "1":
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "explorer.png"))


def test_errors_python_and_the_phase_map(base, watched):
    page = watched.page
    page.goto(base)
    drawn(page)
    page.fill("#control-lr", "0")
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    assert "lr must be in" in page.inner_text("#error-lr")
    page.fill("#control-lr", "0.01")
    drawn(page)
    assert page.inner_text("#error-lr") == ""

    page.click("#copy-python")
    page.wait_for_selector("#python-dialog[open]")
    assert "fi.train(" in page.input_value("#python-text")
    page.click("#python-close")

    box = page.locator("#phase").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    drawn(page)
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert float(query["a_mult"]) != 1.0 and query["depth"] != "2"
    assert shown_numbers(page) == computed_numbers(page.url)


def test_change_to_redraw_times(base, watched):
    page = watched.page
    page.goto(base)
    drawn(page)
    page.fill("#control-hidden", "10,5")
    course = drawn(page)
    page.fill("#control-hidden", "")
    page.fill("#control-iterations", "1000")
    page.fill("#control-depth", "30")
    page.fill("#control-width", "64")
    deep = drawn(page, timeout=60_000)
    print(f"\nchange -> last panel drawn: course network (10,5; 15000 iterations) {course:.0f} ms; "
          f"30 x 64 (1000 iterations) {deep:.0f} ms")
