"""Every setting the window keeps, in one typed registry: key, default and validation.

Each :class:`Option` names its QSettings key once. :func:`get` reads through it: a missing
value gives the default, and a garbled one (hand-edited INI, an older version's value) also
gives the default and is logged once per key — never a crash, never a surprising value
(``engine/n_gpu_layers: banana`` means "auto", not "every layer on the GPU").
:func:`put` writes through it. Nothing else in the app spells a settings key.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from app.core import setting_limits as limits
from app.core.run_types import EFFORTS
from app.engine.remote import APIS, DEFAULT_KEY_ENV

log = logging.getLogger(__name__)
_warned: set[str] = set()


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    parse: Callable[[Any], Any]  # raises ValueError / TypeError for a garbled value


OPTIONS: dict[str, Option] = {}


def option(key: str, default: Any, parse: Callable[[Any], Any]) -> Option:
    """Register one setting (each key once)."""
    if key in OPTIONS:
        raise ValueError(f"Setting {key} is registered twice.")
    OPTIONS[key] = made = Option(key, default, parse)
    return made


# --- parsers ------------------------------------------------------------------------------


def text(value: Any) -> str:
    if isinstance(value, (list, dict, QByteArray)):
        raise TypeError("not text")
    return str(value).strip()


def choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        value = str(value).strip()
        if value not in allowed:
            raise ValueError(f"not one of {', '.join(allowed)}")
        return value

    return parse


def int_range(limit: limits.Limit) -> Callable[[Any], int]:
    """A whole number, clamped to the table's range (a number out of range is not garbled);
    a numeric special value below the range (0 threads: automatic) is kept as it is."""
    bottom = limit.special if isinstance(limit.special, int) else limit.low

    def parse(value: Any) -> int:
        return int(min(limit.high, max(bottom, int(str(value).strip()))))

    return parse


def int_choice(*allowed: int) -> Callable[[Any], int]:
    """One of ``allowed`` (a stored number that is not one of them is garbled)."""

    def parse(value: Any) -> int:
        number = int(str(value).strip())
        if number not in allowed:
            raise ValueError(f"not one of {', '.join(map(str, allowed))}")
        return number

    return parse


def float_range(limit: limits.Limit) -> Callable[[Any], float]:
    """A number, clamped to the table's range; NaN is garbled."""

    def parse(value: Any) -> float:
        number = float(str(value).strip())
        if math.isnan(number):
            raise ValueError("not a number")
        return float(limit.clamp(number))

    return parse


def gpu_layers(value: Any) -> int | str:
    """ "auto" (fit to free GPU memory), -1 (all layers), 0 (CPU only) or a layer count."""
    value = str(value).strip().lower()
    if value == "auto":
        return "auto"
    number = int(value)
    if number < -1:
        raise ValueError("below -1")
    return number


def date_text(value: Any) -> str:
    """'' (no date line) or YYYY-MM-DD."""
    from datetime import date

    value = text(value)
    if value:
        date.fromisoformat(value)
    return value


def string_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item]
    raise TypeError("not a list")


def json_object(value: Any) -> dict:
    """A JSON object stored as text (a dict as it is)."""
    import json

    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise TypeError("not JSON text")
    parsed = json.loads(value)  # a JSONDecodeError is a ValueError
    if not isinstance(parsed, dict):
        raise TypeError("not a JSON object")
    return parsed


def state_bytes(value: Any) -> QByteArray | None:
    if isinstance(value, QByteArray):
        return value
    raise TypeError("not saved widget state")


# --- the settings ---------------------------------------------------------------------------

BACKEND = option("engine/backend", "local", choice("local", "remote"))
MODEL_PATH = option("engine/model_path", "", text)
N_CTX = option("engine/n_ctx", limits.N_CTX.default, int_range(limits.N_CTX))
N_GPU_LAYERS = option("engine/n_gpu_layers", limits.GPU_LAYERS.default, gpu_layers)
# 0: llama.cpp decides
N_THREADS = option("engine/n_threads", limits.N_THREADS.default, int_range(limits.N_THREADS))
PARALLEL = option("engine/parallel", limits.PARALLEL.default, int_range(limits.PARALLEL))
PREFIX_CACHE_MB = option(
    "engine/prefix_cache_mb", limits.PREFIX_CACHE_MB.default, int_range(limits.PREFIX_CACHE_MB)
)
BASE_URL = option("remote/base_url", "http://127.0.0.1:8080", text)
REMOTE_MODEL = option("remote/model", "", text)
REMOTE_API = option("remote/api", "auto", choice(*APIS))
API_KEY_ENV = option("remote/api_key_env", DEFAULT_KEY_ENV, lambda v: text(v) or DEFAULT_KEY_ENV)
CONCURRENCY = option(
    "remote/concurrency", limits.CONCURRENCY.default, int_range(limits.CONCURRENCY)
)
REMOTE_DEADLINE = option("remote/deadline", limits.DEADLINE.default, float_range(limits.DEADLINE))
EFFORT = option("run/effort", "medium", choice(*EFFORTS))
TEMPERATURE = option("run/temperature", limits.TEMPERATURE.default, float_range(limits.TEMPERATURE))
TOP_P = option("run/top_p", limits.TOP_P.default, float_range(limits.TOP_P))
SEED = option("run/seed", limits.SEED.default, int_range(limits.SEED))
MAX_TOKENS = option("run/max_tokens", limits.MAX_TOKENS.default, int_range(limits.MAX_TOKENS))
DATE = option("run/date", "", date_text)
SAMPLES = option("run/samples", limits.SAMPLES, int_choice(*limits.SAMPLE_COUNTS))  # Run ×k
UNSTABLE_BELOW = option(
    "run/unstable_below", limits.UNSTABLE_BELOW.default, float_range(limits.UNSTABLE_BELOW)
)
SUGGEST_MODEL = option("suggest/model_path", "", text)  # "": suggestions use the run's model
THEME = option("ui/theme", "system", choice("system", "light", "dark"))
UI_EFFORT = option("ui/effort", "medium", choice(*EFFORTS))
RECENT_FILES = option("ui/recent_files", [], string_list)
GEOMETRY = option("ui/geometry", None, state_bytes)
# the folder each kind of file dialog used last (app.gui.shared.file_dialogs)
FILE_KINDS = ("policy", "test_set", "report", "model", "review")
LAST_FOLDERS = {kind: option(f"dialogs/{kind}_folder", "", text) for kind in FILE_KINDS}
IMPORT_LAST_FILE = option("import/last_file", "", text)  # the file the import dialog read
# the import dialog's column mapping per file shape (app.gui.cases.import_memory), JSON
IMPORT_MAPPINGS = option("import/mappings", {}, json_object)


# the longest a server may stay silent on a case (its read timeout), in seconds; after three
# silent cases in a row a run stops, so this bounds how long a hanging server holds a run
REMOTE_SILENCE = option(
    "remote/read_timeout", limits.READ_TIMEOUT.default, float_range(limits.READ_TIMEOUT)
)


def splitter_state(name: str) -> Option:
    """The saved state of the splitter with object name ``name`` (registered on first use)."""
    key = f"ui/{name}"
    return OPTIONS.get(key) or option(key, None, state_bytes)


def get(settings: QSettings, opt: Option) -> Any:
    """The value of ``opt``: the stored one when it parses, else the default."""
    raw = settings.value(opt.key)
    if raw is None:
        return opt.default
    try:
        return opt.parse(raw)
    except (TypeError, ValueError) as exc:
        if opt.key not in _warned:
            _warned.add(opt.key)
            log.warning(
                "Setting %s=%r is not valid (%s); using %r.", opt.key, raw, exc, opt.default
            )
        return opt.default


def put(settings: QSettings, opt: Option, value: Any) -> None:
    """Store ``value`` for ``opt`` (validated: a bad value is a programming error)."""
    if value is not None and not isinstance(value, QByteArray):
        opt.parse(value)
    settings.setValue(opt.key, value)
