"""A fake OpenAI-compatible chat server on loopback that classifies by keyword (tests only).

Plain spam words are caught; the same words in leetspeak are not, except that on a seed
divisible by 3 the server "notices" anything with a digit in a word (so with three samples
exactly one of them catches a leetspeak variant: hit@3 counts it, the sample share is 2/3).
The reasoning restates the content it read, lower-cased. A policy that mentions "disguised
spellings" gets leetspeak read back into letters (what a policy edit can fix).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.fake_openai import serve_routes

KEYWORDS = ("gift card", "password", "prize", "bitcoin")
CODES = {"gift card": "SP2.d", "password": "SP2.a", "prize": "SP2.d", "bitcoin": "SP2.c"}
LEETISH = re.compile(r"[a-z][0-9]|[0-9][a-z]", re.IGNORECASE)


UNLEET = str.maketrans("4310578$96|(2#", "aeiostbsggiczh")
RULE = "disguised spellings"  # a policy that says so gets leetspeak read back to letters


def classify(content: str, seed: int, unleet: bool = False) -> dict:
    lowered = content.lower()
    if unleet:
        lowered = lowered.replace("|_|", "u").replace("\\/\\/", "w").translate(UNLEET)
    hit = next((k for k in KEYWORDS if k in lowered), None)
    if hit is None and seed % 3 == 0 and LEETISH.search(content):
        hit = "gift card"
    if hit is None:
        return {"violation": 0, "policy_category": None, "rationale": "no spam words"}
    return {"violation": 1, "policy_category": CODES[hit], "rationale": f"mentions {hit}"}


def _chat(body: dict) -> tuple[int, list]:
    content = body["messages"][-1]["content"]
    unleet = any(RULE in str(m.get("content")) for m in body["messages"][:-1])
    answer = json.dumps(classify(content, int(body.get("seed") or 0), unleet))
    text = (
        f"<|channel|>analysis<|message|>The content reads: {content.lower()}<|end|>"
        f"<|start|>assistant<|channel|>final<|message|>{answer}"
    )
    pieces = [{"choices": [{"delta": {"content": text}, "finish_reason": None}]}]
    done = {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {"completion_tokens": 9}}
    return 200, [*pieces, done]


@contextmanager
def keyword_server() -> Iterator[tuple[str, type]]:
    """(base URL, handler): /v1/models, no tokenize endpoints (the chat path), the answers."""
    with serve_routes() as (url, handler):
        handler.routes["/v1/models"] = lambda _: (200, {"data": [{"id": "safeguard"}]})
        for path in ("/tokenize", "/extras/tokenize"):
            handler.routes[path] = lambda _: (404, {"error": "not found"})
        handler.routes["/v1/chat/completions"] = _chat
        yield url, handler
