"""Loopback servers the bad-input suite runs evaluations against (chat API, scripted)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

from tests.support.fake_server import chat_models, json_answer, sse_answer

ANSWER = (
    "<|channel|>analysis<|message|>Looks fine.<|end|><|start|>assistant<|channel|>final<|message|>"
)


def chat_events(label: str = "1", finish: str | None = "stop") -> list[dict]:
    """A chat-completions stream whose content is a whole harmony answer giving ``label``."""
    events: list[dict] = [
        {"choices": [{"delta": {"content": ANSWER}, "finish_reason": None}]},
        {"choices": [{"delta": {"content": label}, "finish_reason": None}]},
    ]
    if finish:
        events.append({"choices": [{"delta": {}, "finish_reason": finish}]})
    return events


def label_for(body: object) -> str:
    """The right label for a bad-input test case ("content 1" is 1, "content 2" is 0...)."""
    content = body["messages"][-1]["content"] if isinstance(body, dict) else ""
    return "1" if content[-1:] in "13579" else "0"


def answering(hang_on: str | None = None, hang_s: float = 60.0):
    """Routes of a chat server answering each case right; ``hang_on`` content stalls."""

    def complete(handler, body) -> None:
        if hang_on and body["messages"][-1]["content"] == hang_on:
            time.sleep(hang_s)
        sse_answer(handler, chat_events(label_for(body)))

    return {"/v1/models": chat_models, "/v1/chat/completions": complete}


def failing(status: int = 500, message: str = "the model crashed"):
    """Routes of a chat server that lists its model and fails every completion."""

    def complete(handler, _body) -> None:
        json_answer(handler, {"error": {"message": message}}, status=status)

    return {"/v1/models": chat_models, "/v1/chat/completions": complete}


def hanging(hang_s: float = 60.0):
    """Routes of a chat server that lists its model, takes every case and never answers."""

    def complete(_handler, _body) -> None:
        time.sleep(hang_s)

    return {"/v1/models": chat_models, "/v1/chat/completions": complete}


def not_streaming(body: object) -> dict:
    """The one plain ``chat.completion`` a server that ignores ``stream: true`` sends."""
    content = ANSWER + label_for(body)
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52},
    }


@contextlib.contextmanager
def never_accepting() -> Iterator[str]:
    """The URL of a loopback listener whose backlog is full and which never accepts: a
    client's connect waits until its connect timeout (the kernel drops each new SYN)."""
    held: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(16):  # fill the accept queue until a connect no longer completes
            held.append(socket.socket())
            held[-1].settimeout(0.3)
            try:
                held[-1].connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            raise RuntimeError("the listener's backlog never filled")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            for sock in held:
                sock.close()
