"""The whole system exactly as `make run` starts it (real Postgres, Redis, NATS, Traefik, all five
services as separate processes), walked through the gateway like the mobile app would."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

import asyncpg
import httpx
import psutil
import pytest
import websockets

from devstack.processes import poll
from devstack.stack import REPO, Ports

from .helpers import register

pytestmark = pytest.mark.e2e


def test_readyz_reports_every_dependency(stack):
    status, body = stack.readiness()
    assert status == 200, body
    assert {"postgres", "redis", "nats", "chart", "matching", "chat"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


def test_register_scan_resonate_match_message_websocket_push(stack):
    client = httpx.Client(base_url=stack.gateway_url, timeout=10)
    ada = register(client, "Ada", "1990-05-15")
    bob = register(client, "Bob", "1988-11-02")
    ada_auth = {"Authorization": f"Token {ada['token']}"}
    bob_auth = {"Authorization": f"Bearer {bob['token']}"}

    # Scan: Bob reaches matching's read model through identity.user.registered.
    def scan_all() -> list[int]:
        seen, cursor = [], None
        while True:
            body = client.post("/api/v1/scan/", json={"limit": 50, "cursor": cursor} if cursor else {"limit": 50},
                               headers=ada_auth).json()
            seen += [p["id"] for p in body["profiles"]]
            cursor = body.get("next_cursor")
            if not cursor:
                return seen

    seen = poll(scan_all, lambda ids: bob["user"]["id"] in ids, 15, "Bob in Ada's scan", interval=0.2)
    assert bob["user"]["id"] in seen and ada["user"]["id"] not in seen

    first = client.post("/api/v1/resonance/", json={"target_user_id": bob["user"]["id"], "action": "resonate"},
                        headers=ada_auth)
    assert first.status_code == 200 and first.json()["is_match"] is False
    second = poll(lambda: client.post("/api/v1/resonance", json={"target_user_id": ada["user"]["id"],
                                                                 "action": "resonate"}, headers=bob_auth),
                  lambda r: r.status_code == 200, 15, "Bob's resonance to be accepted", interval=0.2)
    assert second.json()["is_match"] is True, second.text
    match_id = second.json()["match"]["id"]
    listed = client.get("/api/v1/matches/", headers=ada_auth).json()["matches"]
    assert [m["id"] for m in listed] == [match_id]

    async def converse() -> dict:
        ws_url = stack.gateway_url.replace("http://", "ws://") + f"/ws/chat/{match_id}/"
        async with websockets.connect(ws_url, additional_headers=bob_auth) as ws:
            # The server says "connected" once it listens to the match: nothing sent after is missed.
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert hello == {"type": "connected", "match_id": match_id, "user_id": bob["user"]["id"],
                             "last_message_id": None}
            async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as ac:
                posted = await ac.post(f"/api/v1/matches/{match_id}/messages/",
                                       json={"content": "Hey! Our numbers align 💫"}, headers=ada_auth)
                assert posted.status_code == 201, posted.text
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if frame.get("type") == "message":
                    return frame["message"]

    received = asyncio.run(converse())
    assert received["content"] == "Hey! Our numbers align 💫"
    assert received["sender_id"] == ada["user"]["id"]

    history = client.get(f"/api/v1/matches/{match_id}/messages", headers=bob_auth).json()["messages"]
    assert [m["content"] for m in history] == ["Hey! Our numbers align 💫"]

    # The push consumer saw both events: the match (both users) and the message (its recipient).
    async def push_rows() -> list[tuple[int, str]]:
        dsn = stack.postgres.url.replace("postgresql+asyncpg", "postgresql")
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch("SELECT user_id, kind FROM chat.push_notifications "
                                    "WHERE user_id = ANY($1::bigint[])",
                                    [ada["user"]["id"], bob["user"]["id"]])
            return sorted((r["user_id"], r["kind"]) for r in rows)
        finally:
            await conn.close()

    expected = sorted([(ada["user"]["id"], "match"), (bob["user"]["id"], "match"), (bob["user"]["id"], "message")])
    assert poll(lambda: asyncio.run(push_rows()), lambda rows: rows == expected, 15, "push notifications",
                interval=0.2) == expected


def test_other_users_cannot_read_a_match_or_its_messages(stack):
    client = httpx.Client(base_url=stack.gateway_url, timeout=10)
    eve = register(client, "Eve", "1991-01-01")
    auth = {"Authorization": f"Bearer {eve['token']}"}
    assert client.get("/api/v1/matches/1", headers=auth).status_code == 404
    assert client.get("/api/v1/matches/1/messages", headers=auth).status_code == 404


def test_make_run_reports_a_taken_port_clearly():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {**os.environ, "NUMEROS_GATEWAY_PORT": str(port), "NUMEROS_DATA_DIR": tempfile.mkdtemp()}
        done = subprocess.run([sys.executable, "-m", "devstack", "run"], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2
    assert f"gateway ({port})" in done.stderr
    assert "Traceback" not in done.stderr


def test_sigterm_stops_every_child_process():
    ports = Ports.free()
    env = {**os.environ, "NUMEROS_DATA_DIR": tempfile.mkdtemp(prefix="numeros-run-"),
           **{f"NUMEROS_{name.upper()}_PORT": str(port) for name, port in vars(ports).items()},
           "NUMEROS_CHART_WORKERS": "1"}
    runner = subprocess.Popen([sys.executable, "-m", "devstack", "run"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in runner.stdout:
            if "Numeros is up." in line:
                break
        else:
            pytest.fail("`make run` never reported the system up")
        children = psutil.Process(runner.pid).children(recursive=True)
        assert len(children) >= 8  # postgres, redis, nats, traefik, chart (+workers), identity, matching, chat
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(60) == 0
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"orphans left behind: {[p.pid for p in alive]}"
    finally:
        if runner.poll() is None:
            runner.kill()
