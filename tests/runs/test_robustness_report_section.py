"""The run report of a clean run carries the robustness section of the robustness run
measured against it (families, the family × rule grid, worst examples), every piece of
text escaped and invisible characters made visible; a run with none has no section."""

from __future__ import annotations

from pathlib import Path

from app.core.cases import TestCase
from app.core.policy import load_policy
from app.core.run_types import RunSettings
from app.engine.remote.engine import RemoteConfig
from app.reports.report import render_html
from app.runs.backends.config import BackendConfig
from app.runs.pipeline.selection import RunJob
from app.runs.pipeline.service import RunService
from app.runs.robustness import RobustnessJob, run_robustness
from app.runs.stored.report import build_run_report
from app.store import Store
from tests.support.keyword_server import keyword_server

POLICY = Path(__file__).parents[2] / "policies" / "spam_scams" / "policy.md"
HOSTILE = "Buy a gift card <script>alert('x')</script> now & send the code."
CASES = [
    TestCase("v<1>", HOSTILE, "1", tags=["SP2.d"]),
    TestCase("v2", "Reply with your password to keep your account.", "1", tags=["SP2.a"]),
    TestCase("a1", "The meeting moved to noon on Tuesday.", "0"),
]


def _job(url: str, families: list[str]) -> RobustnessJob:
    backend = BackendConfig("remote", remote=RemoteConfig(base_url=url, model="safeguard"))
    base = RunJob(load_policy(POLICY), CASES, RunSettings(seed=1), backend,
                  cases_path="/tmp/spam.cases.jsonl")  # fmt: skip
    return RobustnessJob(base, tuple(families), variants=1)


def test_the_clean_runs_report_has_an_escaped_robustness_section(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    service = RunService(store)
    with keyword_server() as (url, _):
        outcome = run_robustness(service, _job(url, ["plain", "leet_heavy", "zero_width"]))
        assert outcome.status == "finished", outcome.message
    page = render_html(build_run_report(store, outcome.clean_run_id))
    section = page[page.index("<h2>Robustness</h2>") : page.index("</section>")]
    assert "<td>leet_heavy</td>" in section and "<td>plain</td>" in section
    assert "<th>SP2.d</th>" in section and "Worst examples" in section
    # the hostile case id and content are escaped in the section, never raw
    assert "v&lt;1&gt;" in section and "&lt;script&gt;" in section
    assert "<script>" not in page and "v<1>" not in page
    assert "&amp; send" in section
    # zero-width characters of the variants are shown as marked symbols, never raw
    assert "<h4>zero_width: " in section and "\u200b" not in page and "\u200d" not in page
    assert "⟨ZW" in section
    service.close()
    store.close()


def test_a_run_without_a_robustness_run_has_no_section(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    service = RunService(store)
    with keyword_server() as (url, _):
        outcome = service.run(_job(url, ["plain"]).run)
    page = render_html(build_run_report(store, outcome.run_id))
    assert "<h2>Cases (3)</h2>" in page and "Robustness" not in page
    service.close()
    store.close()
