"""The explorer's web application (Starlette): the options, the Python calls of
a setting, and a WebSocket that trains each setting it is sent, streaming the
costs, and cancels the run in flight when the next one arrives.

Protocol of ``/api/run`` (JSON text messages):

- page -> server: ``{"id": <any JSON scalar>, "settings": {name: value, ...}}``
  (the names of the page's address; see :mod:`fastinit.serve.settings`);
- server -> page: ``{"type": "costs", "id", "A": {"iterations", "costs"},
  "B": {...}}`` as the trainings record them (only the new points); then
  ``{"type": "result", "id", "query", "result", "seconds"}``, where ``query``
  is the canonical address of the settings answered and ``result`` depends on
  the settings alone (same settings, same JSON); or ``{"type": "error", "id",
  "setting", "message"}``, ``setting`` being the page's name of the setting at
  fault or null.

A new message cancels the run in flight: after it arrives, the earlier run
sends nothing more.
"""

import asyncio
import collections
import concurrent.futures
import contextlib
import importlib.util
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from ..stopping import StopToken
from . import settings as limits
from .settings import SettingError, parse_settings, python_code
from .work import Cancelled, Data, compute, json_ready, load_data

__all__ = ["CONTENT_SECURITY_POLICY", "MAX_CONNECTIONS", "MAX_MESSAGE_BYTES", "MAX_RUNNING",
           "STATIC", "STREAM_INTERVAL", "create_app", "datasets_offered"]

#: A message on /api/run longer than this is refused.
MAX_MESSAGE_BYTES = 16 * 1024
#: WebSocket connections open at once at most; more are refused (close code 1013).
MAX_CONNECTIONS = 64
#: Answers computed at once; more wait their turn (the event loop never waits).
MAX_RUNNING = 4
#: Seconds between two cost messages of one run at most.
STREAM_INTERVAL = 0.05
#: The name of the data set read from ``serve --data``.
FILE_DATASET = "file"
#: The page, its script and its style (package data).
STATIC = Path(__file__).resolve().parent / "static"
#: The page may load and connect to this server alone (the WebSocket included:
#: 'self' covers ws: on the same host and port).
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; "
                           "form-action 'none'; frame-ancestors 'none'")


def datasets_offered(data_file=None):
    """The data sets this server trains on: circles, moons, digits (with
    scikit-learn), and ``"file"`` when a data file is given."""
    names = ["circles", "moons"]
    if importlib.util.find_spec("sklearn") is not None:
        names.append("digits")
    if data_file is not None:
        names.append(FILE_DATASET)
    return tuple(names)


def _read_data_file(path):
    """The file's examples as training data (every example; no test set)."""
    from ..storage import encode_labels, load_data as load_file

    X, labels = load_file(path)
    if labels is None:
        raise ValueError(f"{path} has no labels: an .npz needs an array Y")
    Y, _ = encode_labels(labels, path)
    return Data(X, Y)


def _file_lines(path):
    return ["from fastinit.storage import encode_labels, load_data",
            f"train_X, labels = load_data({str(path)!r})",
            f"train_Y, _ = encode_labels(labels, {str(path)!r})"]


def _options(datasets):
    """What the page offers and the limits it shows."""
    from ..activations import ACTIVATIONS
    from ..initializers import DISTRIBUTIONS, INITIALIZERS, MODES
    from ..plotting import INITIALIZER_COLOURS
    from ..training import OPTIMIZERS

    return {"datasets": list(datasets), "initializers": sorted(INITIALIZERS),
            "initializer_options": {name: sorted(options) for name, options in
                                    limits.OPTION_DEFAULTS.items()},
            "initializer_defaults": json_ready(limits.OPTION_DEFAULTS),
            "option_names": limits.OPTION_NAMES,
            "colours": dict(INITIALIZER_COLOURS),
            "activations": list(ACTIVATIONS), "optimizers": list(OPTIMIZERS),
            "modes": list(MODES), "distributions": list(DISTRIBUTIONS),
            "limits": {"depth": limits.MAX_DEPTH, "width": limits.MAX_WIDTH,
                       "iterations": limits.MAX_ITERATIONS, "work": limits.MAX_WORK,
                       "message_bytes": MAX_MESSAGE_BYTES},
            "defaults": json_ready(_defaults())}


def _defaults():
    default = limits.Settings()
    return {"data": default.data, "seed": default.seed, "depth": default.depth,
            "width": default.width, "act": default.act, "slope": default.slope,
            "lr": default.lr, "iterations": default.iterations,
            "optimizer": default.optimizer, "batch": default.batch, "lambd": default.lambd,
            "keep_prob": default.keep_prob, "a": default.a.init, "b": default.b.init}


def _error(request_id, setting, message):
    return {"type": "error", "id": request_id, "setting": setting, "message": message}


def _same_origin(websocket):
    """Whether the handshake comes from this server's own pages (or from a
    client that sends no Origin, which is not a browser)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == websocket.headers.get("host")


class _Run:
    """One answer in flight on one connection: its token and its task."""

    def __init__(self, token, task):
        self.token, self.task = token, task


def create_app(data_file=None):
    """The explorer's Starlette application.

    Parameters
    ----------
    data_file : str or path-like, optional
        A ``.npz`` or ``.csv`` data file (``fastinit.storage.load_data``), read
        once here and offered as the data set ``"file"``; no other file is read.

    Returns
    -------
    starlette.applications.Starlette
    """
    datasets = datasets_offered(data_file)
    files = {} if data_file is None else {FILE_DATASET: _read_data_file(data_file)}
    pool = concurrent.futures.ThreadPoolExecutor(MAX_RUNNING, thread_name_prefix="explorer")
    connections = [0]

    def checked(given):
        return parse_settings(given, datasets)

    async def index(request):
        return FileResponse(STATIC / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    async def options(request):
        return JSONResponse(_options(datasets))

    async def python(request):
        try:
            settings = checked(dict(request.query_params))
        except SettingError as error:
            return JSONResponse(_error(None, error.setting, str(error)), status_code=400)
        lines = _file_lines(data_file) if settings.data == FILE_DATASET else None
        return PlainTextResponse(python_code(settings, lines))

    async def answer(websocket, request_id, settings, token):
        """Compute one answer in the pool, streaming its costs, unless cancelled."""
        loop = asyncio.get_running_loop()
        points = collections.deque()  # appended by the training threads
        started = time.perf_counter()
        future = loop.run_in_executor(
            pool, compute, settings, load_data(settings.data, files),
            lambda label, iteration, cost: points.append((label, iteration, cost)), token)

        async def send(message):
            if not token.is_set():
                await websocket.send_text(json.dumps(message, allow_nan=False))

        while True:
            await asyncio.wait([future], timeout=STREAM_INTERVAL)
            if points:
                fresh = {"A": {"iterations": [], "costs": []},
                         "B": {"iterations": [], "costs": []}}
                while points:
                    label, iteration, cost = points.popleft()
                    fresh[label]["iterations"].append(iteration)
                    fresh[label]["costs"].append(cost)
                await send(json_ready({"type": "costs", "id": request_id, **fresh}))
            if future.done():
                break
        try:
            result = future.result()
        except Cancelled:
            return
        except SettingError as error:
            await send(_error(request_id, error.setting, str(error)))
            return
        except Exception as error:  # a training the settings allowed but that failed
            await send(_error(request_id, None, f"{type(error).__name__}: {error}"))
            return
        await send({"type": "result", "id": request_id, "query": settings.to_query(),
                    "result": json_ready(result),
                    "seconds": round(time.perf_counter() - started, 4)})

    async def run(websocket):
        if not _same_origin(websocket):
            await websocket.close(code=1008)
            return
        if connections[0] >= MAX_CONNECTIONS:
            await websocket.close(code=1013)
            return
        connections[0] += 1
        current = None
        try:
            await websocket.accept()
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                request_id, settings = None, None
                if len(text) > MAX_MESSAGE_BYTES:
                    reply = _error(None, None, f"message longer than {MAX_MESSAGE_BYTES} bytes")
                else:
                    reply, request_id, settings = _request(text, checked)
                if current is not None:
                    current.token.set()
                    current = None
                if reply is not None:
                    await websocket.send_text(json.dumps(reply, allow_nan=False))
                    continue
                token = StopToken()
                current = _Run(token, asyncio.create_task(
                    answer(websocket, request_id, settings, token)))
        except WebSocketDisconnect:
            pass
        finally:
            connections[0] -= 1
            if current is not None:
                current.token.set()
                current.task.cancel()
                with contextlib.suppress(BaseException):
                    await current.task

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    return Starlette(routes=[Route("/", index), Route("/api/options", options),
                             Route("/api/python", python), WebSocketRoute("/api/run", run),
                             Mount("/static", StaticFiles(directory=STATIC), name="static")],
                     lifespan=lifespan)


def _request(text, checked):
    """``(error reply or None, id, settings)`` of one message's text."""
    try:
        message = json.loads(text)
    except ValueError as error:
        return _error(None, None, f"the message is not JSON: {error}"), None, None
    except RecursionError:
        return _error(None, None, "the message nests too deep"), None, None
    if not isinstance(message, dict) or not isinstance(message.get("settings"), dict):
        return _error(None, None, 'a message must be {"id": ..., "settings": {...}}'), None, None
    request_id = message.get("id")
    if not (request_id is None or isinstance(request_id, (int, str))) or \
            isinstance(request_id, str) and len(request_id) > 100:
        return _error(None, None, "id must be a number or a short string"), None, None
    try:
        return None, request_id, checked(message["settings"])
    except SettingError as error:
        return _error(request_id, error.setting, str(error)), request_id, None
