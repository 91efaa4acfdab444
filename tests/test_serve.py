"""The explorer's server: settings, answers and the WebSocket protocol, over
the real Starlette app with its TestClient."""

import json
import math
import time

import numpy as np
import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

import fastinit as fi  # noqa: E402
from fastinit.serve.app import create_app  # noqa: E402
from fastinit.serve.settings import (MAX_DEPTH, MAX_WIDTH, SettingError, Settings,  # noqa: E402
                                     parse_settings, python_code)
from fastinit.serve.work import Cancelled, compute, json_ready, load_data  # noqa: E402
from fastinit.stopping import StopToken  # noqa: E402

COURSE = {"hidden": "10,5", "a": "he", "b": "random"}
SMALL = {"hidden": "10,5", "iterations": 300}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as test_client:
        yield test_client


def _until_result(websocket):
    """Every message up to the first result or error, in order."""
    messages = []
    while True:
        message = websocket.receive_json()
        messages.append(message)
        if message["type"] in ("result", "error"):
            return messages


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

def test_defaults_and_query_round_trip():
    assert parse_settings({}) == Settings()
    assert Settings().to_query() == ""
    settings = parse_settings({"hidden": "10,5", "a": "variance_scaling", "a_mode": "fan_avg",
                               "b_mult": "2", "lr": "0.5", "batch": "64", "seed": 7})
    assert settings.hidden == (10, 5) and settings.a.mode == "fan_avg" and settings.b.mult == 2.0
    again = parse_settings(dict(pair.split("=") for pair in
                                settings.to_query().replace("%2C", ",").split("&")))
    assert again == settings


@pytest.mark.parametrize("given, setting", [
    ({"depth": MAX_DEPTH + 1}, "depth"), ({"width": 0}, "width"),
    ({"width": MAX_WIDTH + 1}, "width"), ({"iterations": "many"}, "iterations"),
    ({"lr": "nan"}, "lr"), ({"lr": 0}, "lr"), ({"a": "bogus"}, "a"),
    ({"b_gain": -1}, "b_gain"), ({"a": "he", "a_mode": "fan_avg"}, "a_mode"),
    ({"keep_prob": 1.5}, "keep_prob"), ({"seed": True}, "seed"), ({"data": "/etc/passwd"}, "data"),
    ({"hidden": "10,x"}, "hidden"), ({"depth": 2.5}, "depth"), ({"nonsense": 1}, "nonsense"),
    ({"act": "x" * 500}, "act")])
def test_bad_settings_name_the_setting(given, setting):
    with pytest.raises(SettingError) as error:
        parse_settings(given)
    assert error.value.setting == setting
    assert isinstance(error.value, ValueError)


def test_total_work_is_limited():
    settings = parse_settings({"depth": 100, "width": 256, "iterations": 100000})
    with pytest.raises(SettingError, match="too much work") as error:
        compute(settings, load_data("circles"))
    assert error.value.setting == "iterations"


@pytest.mark.parametrize("given", [COURSE, {"a": "lsuv", "b": "variance_scaling", "b_mult": 1.5,
                                            "b_mode": "fan_avg", "act": "leaky_relu",
                                            "iterations": 500, "optimizer": "adam",
                                            "batch": 64, "lambd": 0.1, "keep_prob": 0.9}])
def test_python_code_computes_the_same_bits(given):
    settings = parse_settings(given)
    answer = compute(settings, load_data(settings.data))
    namespace = {}
    exec(python_code(settings), namespace)  # noqa: S102  (our own generated code)
    for label in ("A", "B"):
        assert namespace["results"][label].final_cost == answer[label]["final_cost"]
        assert namespace["results"][label].costs == answer[label]["costs"]


def test_course_network_reproduces_the_course():
    settings = parse_settings({"hidden": "10,5"})
    X, Y, _, _ = fi.datasets.load_dataset("circles")
    direct = fi.train(X, Y, fi.initialize([2, 10, 5, 1], "he", seed=3), num_iterations=15000)
    assert compute(settings, load_data("circles"))["A"]["final_cost"] == direct.final_cost


def test_cancelled_before_start():
    token = StopToken()
    token.set()
    with pytest.raises(Cancelled):
        compute(parse_settings(SMALL), load_data("circles"), token=token)


def test_json_ready_spells_out_non_finite_numbers():
    value = json_ready({"a": [np.float64("nan"), math.inf, -math.inf, np.int64(3), 1.5]})
    assert value == {"a": [None, "inf", "-inf", 3, 1.5]}
    json.dumps(value, allow_nan=False)


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

def test_options(client):
    options = client.get("/api/options").json()
    assert options["initializers"] == sorted(fi.INITIALIZERS)
    assert options["activations"] == list(fi.ACTIVATIONS)
    assert options["limits"]["depth"] == MAX_DEPTH and options["limits"]["width"] == MAX_WIDTH
    assert {"circles", "moons", "digits"} <= set(options["datasets"])
    assert client.get("/").status_code == 200


def test_the_page_and_its_files_are_served_from_the_package(client):
    import importlib.resources

    from fastinit.plotting import INITIALIZER_COLOURS

    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "http" not in policy
    static = importlib.resources.files("fastinit.serve").joinpath("static")
    for name, kind in (("explorer.js", "javascript"), ("explorer.css", "text/css")):
        assert static.joinpath(name).is_file()
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert "http://" not in response.text and "https://" not in response.text
    assert client.get("/api/options").json()["colours"] == INITIALIZER_COLOURS


def test_python_route(client):
    response = client.get("/api/python", params={"hidden": "10,5", "b": "xavier"})
    assert response.status_code == 200 and "fi.train(" in response.text
    response = client.get("/api/python", params={"depth": "1000"})
    assert response.status_code == 400 and response.json()["setting"] == "depth"


# ---------------------------------------------------------------------------
# The WebSocket
# ---------------------------------------------------------------------------

def test_run_streams_costs_then_the_result(client):
    settings = parse_settings(COURSE)
    X, Y, _, _ = fi.datasets.load_dataset("circles")
    with client.websocket_connect("/api/run") as websocket:
        websocket.send_json({"id": 1, "settings": COURSE})
        messages = _until_result(websocket)
    assert messages[-1]["type"] == "result" and messages[-1]["id"] == 1
    assert messages[0]["type"] == "costs"
    streamed = [cost for message in messages[:-1] for cost in message["A"]["costs"]]
    result = messages[-1]["result"]
    assert streamed == result["A"]["costs"]
    assert messages[-1]["query"] == settings.to_query()
    for label, method in (("A", "he"), ("B", "random")):
        direct = fi.train(X, Y, fi.initialize([2, 10, 5, 1], method, seed=3),
                          num_iterations=15000, record_every=100)
        assert result[label]["final_cost"] == direct.final_cost
        assert result[label]["costs"] == direct.costs
    assert len(result["A"]["boundary"]["p"]) == 64
    assert len(result["A"]["signal"]["second_moment"]["mean"]) == 3
    assert result["phase"]["A"]["critical_sigma_w2"] == 2.0


def test_same_settings_same_json(client):
    answers = []
    for _ in range(2):
        with client.websocket_connect("/api/run") as websocket:
            websocket.send_json({"id": "x", "settings": {**SMALL, "act": "tanh", "b": "critical"}})
            answers.append(json.dumps(_until_result(websocket)[-1]["result"]))
    assert answers[0] == answers[1]


def test_a_new_message_cancels_the_run_in_flight(client):
    slow = {"depth": 20, "width": 64, "iterations": 2000}
    with client.websocket_connect("/api/run") as websocket:
        websocket.send_json({"id": "slow", "settings": slow})
        assert websocket.receive_json()["id"] == "slow"  # it has started
        websocket.send_json({"id": "fast", "settings": SMALL})
        messages = []
        while not messages or messages[-1]["type"] != "result":
            messages.append(websocket.receive_json())
    after = [message for message in messages if message["id"] == "slow"]
    # costs of the slow run already on their way may arrive; its result never does
    assert all(message["type"] == "costs" for message in after)
    assert messages[-1]["id"] == "fast"


def test_bad_settings_answer_an_error_and_the_connection_goes_on(client):
    with client.websocket_connect("/api/run") as websocket:
        websocket.send_json({"id": 2, "settings": {"depth": 101}})
        error = websocket.receive_json()
        assert error == {"type": "error", "id": 2, "setting": "depth", "message": error["message"]}
        assert "depth" in error["message"]
        websocket.send_json({"id": 3, "settings": {"depth": 100, "width": 256,
                                                    "iterations": 100000}})
        error = websocket.receive_json()
        assert error["setting"] == "iterations" and "too much work" in error["message"]
        websocket.send_text("{not json")
        assert websocket.receive_json()["type"] == "error"
        websocket.send_text(json.dumps([1, 2]))
        assert websocket.receive_json()["type"] == "error"
        websocket.send_text("[" * 8000 + "]" * 8000)  # short, but deeper than the parser goes
        assert "nests too deep" in websocket.receive_json()["message"]
        websocket.send_text(json.dumps({"id": 4, "settings": {"a": "x" * 20000}}))
        error = websocket.receive_json()
        assert error["type"] == "error" and "longer than" in error["message"]
        websocket.send_json({"id": 5, "settings": SMALL})
        assert _until_result(websocket)[-1]["type"] == "result"


def test_other_origins_are_refused(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/api/run", headers={"origin": "http://evil.example"}):
            pass
    assert refused.value.code == 1008
    with client.websocket_connect("/api/run", headers={"origin": "http://testserver"}) as ws:
        ws.send_json({"id": 1, "settings": SMALL})
        assert _until_result(ws)[-1]["type"] == "result"
    assert client.get("/api/options").status_code == 200


def test_many_clients_leave_the_server_responsive(client):
    sockets = [client.websocket_connect("/api/run") for _ in range(50)]
    opened = [socket.__enter__() for socket in sockets]
    try:
        for websocket in opened:
            websocket.send_json({"id": 1, "settings": {"depth": 10, "width": 64,
                                                        "iterations": 3000}})
        started = time.perf_counter()
        assert client.get("/api/options").status_code == 200
        # not a speed check: a blocked event loop would answer only after the 50 runs
        # (minutes of training), a responsive one at once, even on a loaded machine
        assert time.perf_counter() - started < 30
    finally:
        for socket in sockets:
            socket.__exit__(None, None, None)
    with client.websocket_connect("/api/run") as websocket:
        websocket.send_json({"id": 1, "settings": SMALL})
        assert _until_result(websocket)[-1]["type"] == "result"


def test_data_file_is_offered_and_trained_on(tmp_path):
    X, Y, _, _ = fi.datasets.load_dataset("moons")
    path = tmp_path / "moons.csv"
    np.savetxt(path, np.hstack([X.T, Y.T]), delimiter=",")
    with TestClient(create_app(path)) as file_client:
        assert "file" in file_client.get("/api/options").json()["datasets"]
        with file_client.websocket_connect("/api/run") as websocket:
            websocket.send_json({"id": 1, "settings": {**SMALL, "data": "file"}})
            result = _until_result(websocket)[-1]["result"]
        code = file_client.get("/api/python", params={**SMALL, "data": "file"}).text
    namespace = {}
    exec(code, namespace)  # noqa: S102
    assert namespace["results"]["A"].final_cost == result["A"]["final_cost"]
    assert result["A"]["test_accuracy"] is None


def test_answer_times(client):
    """How long an answer takes over the socket (printed, not asserted)."""
    for name, settings in (("course 2-10-5-1, 15000 iterations", COURSE),
                           ("30 x 64, 1000 iterations", {"depth": 30, "width": 64,
                                                         "iterations": 1000})):
        with client.websocket_connect("/api/run") as websocket:
            started = time.perf_counter()
            websocket.send_json({"id": 1, "settings": settings})
            message = _until_result(websocket)[-1]
            elapsed = time.perf_counter() - started
        assert message["type"] == "result"
        print(f"\n{name}: {elapsed * 1000:.0f} ms to the result "
              f"(server's own count {message['seconds'] * 1000:.0f} ms)")
