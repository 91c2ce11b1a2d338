"""A content policy and everything read from its text: the public surface of ``core.policy``.

What the rest of the app may use is imported here; the modules behind it are:

* ``document``: :class:`Policy` (body, front matter, output format, rule-code index) and loading;
* ``front_matter``: :class:`OutputFormat` and the ``key: value`` block at the top;
* ``stated_format`` + ``output_phrases``: the format read from the policy's own words;
* ``lines``: headings, tier lines and rule-code definitions (one reading for every caller);
* ``sidecar``: a corrected format kept beside a published file (``policy.format.json``);
* ``label_spelling``: which label a written word, tier or pair stands for;
* ``lint``: hints against the published gpt-oss-safeguard guidance.

Modules outside this package import from here, never from the modules behind it
(``tests/test_architecture.py`` checks).
"""

from app.core.policy.document import Policy, estimate_tokens, load_policy, parse_policy
from app.core.policy.front_matter import (
    FORMAT_KEYS,
    FORMATS,
    PARTS,
    OutputFormat,
    PolicyError,
    format_meta,
    output_format_from_meta,
    split_front_matter,
    tier_number,
    with_front_matter,
)
from app.core.policy.label_spelling import (
    NON_VIOLATING_WORDS,
    VIOLATING_WORDS,
    normalize_label,
    pairs_in,
    spell_tier,
    split_pair,
    words,
)
from app.core.policy.lines import (
    RULE_CODE_RE,
    cited_rule_codes,
    find_rule_codes,
    headings,
    prose_lines,
    tier_line,
)
from app.core.policy.lint import RECOMMENDED_TOKENS, LintHint, lint_policy
from app.core.policy.sidecar import read_sidecar, sidecar_path, write_sidecar
from app.core.policy.stated_format import (
    NOT_INFERRED,
    FormatReading,
    describe_format,
    read_output_format,
)

__all__ = [
    "FORMATS",
    "FORMAT_KEYS",
    "NON_VIOLATING_WORDS",
    "NOT_INFERRED",
    "PARTS",
    "RECOMMENDED_TOKENS",
    "RULE_CODE_RE",
    "VIOLATING_WORDS",
    "FormatReading",
    "LintHint",
    "OutputFormat",
    "Policy",
    "PolicyError",
    "cited_rule_codes",
    "describe_format",
    "estimate_tokens",
    "find_rule_codes",
    "format_meta",
    "headings",
    "lint_policy",
    "load_policy",
    "normalize_label",
    "output_format_from_meta",
    "pairs_in",
    "parse_policy",
    "prose_lines",
    "read_output_format",
    "read_sidecar",
    "sidecar_path",
    "spell_tier",
    "split_front_matter",
    "split_pair",
    "tier_line",
    "tier_number",
    "with_front_matter",
    "words",
    "write_sidecar",
]
