"""The registry of variant families: data (name, one-line description, defaults), the
presets that group them, stacking of two, and the variants of one case.

Variant ``n`` of a family uses ``options[n % len(options)]`` over the defaults (so two
variants of base64 are the whole content with and without a lead-in) and its own random
generator (:func:`~app.variants.variant.make_rng`): the same seed, family, case and
``n`` always give the same text. ``kind`` says how a variant relates to its case:
``substitute`` (same length, the recorded positions are exactly the characters that
differ), ``insert`` (removing the recorded characters gives the case back) or ``rewrite``
(what is not recorded is kept, in order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from app.core.errors import UserError
from app.variants import case_typos, char_subst, encodings, framing, injection, spacing
from app.variants import invisible as inv
from app.variants.variant import (
    Draws,
    Piece,
    Result,
    Variant,
    assemble,
    compose,
    kept,
    make_rng,
)

Transform = Callable[[str, Draws, Mapping], Result]
STACK = "+"
MAX_VARIANTS = 100


class FamilyError(UserError):
    """An unknown family, a bad variant count or a family file that cannot be used."""


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    transform: Transform
    group: str  # obfuscation / encodings / framing / injection / control / custom
    kind: str = "substitute"
    defaults: Mapping = field(default_factory=dict)
    options: tuple[Mapping, ...] = ({},)
    random: bool = True  # False: the seed does not change the text

    def params(self, index: int) -> dict:
        return {**self.defaults, **self.options[index % len(self.options)]}


def _plain(text: str, _rng: Draws, _opts: Mapping) -> list[Piece]:
    return kept(text)


_ENCODED = ({"scope": "whole", "lead": True}, {"scope": "whole", "lead": False},
            {"scope": "key", "lead": True}, {"scope": "key", "lead": False})  # fmt: skip
_F = Family
BUILT_IN: tuple[Family, ...] = (
    _F("plain", "The case unchanged: the control every family is compared with.", _plain,
       "control", "substitute", random=False),
    _F("leet", "Light leetspeak: some a e i o s t become 4 3 1 0 5 7.", char_subst.leet,
       "obfuscation", defaults={"level": "light", "rate": 0.5}),
    _F("leet_heavy", "Heavy leetspeak: most letters, some as several symbols (|< for k).",
       char_subst.leet, "obfuscation", "rewrite", {"level": "heavy", "rate": 0.9}),
    _F("homoglyph", "Latin letters swapped for Cyrillic or Greek look-alikes.",
       char_subst.homoglyph, "obfuscation", defaults={"rate": 0.6},
       options=({"script": "cyrillic"}, {"script": "greek"}, {"script": "mixed"})),
    _F("diacritics", "Letters with accents added (e becomes é).", char_subst.diacritics,
       "obfuscation", defaults={"rate": 0.5}),
    _F("fullwidth", "Fullwidth forms of every ASCII character.", char_subst.fullwidth,
       "obfuscation", random=False),
    _F("zero_width", "Zero-width spaces and joiners inside words.", inv.zero_width,
       "obfuscation", "insert", {"rate": 0.3, "kind": "mixed"}),
    _F("word_joiner", "The invisible word joiner (U+2060) inside words.", inv.word_joiner,
       "obfuscation", "insert", {"rate": 0.3}),
    _F("bidi", "Words stored backwards inside RLO (displayed forwards), or LRI-isolated.",
       inv.bidi, "obfuscation", "rewrite", {"rate": 0.5},
       ({"mode": "rlo"}, {"mode": "lri"})),
    _F("tags", "The whole content hidden in invisible Unicode tag characters.", inv.tags,
       "obfuscation", "rewrite", random=False),
    _F("spaced", "Letters spaced out: b u y.", spacing.spaced, "obfuscation", "insert"),
    _F("dotted", "Letters dotted: b.u.y.", spacing.dotted, "obfuscation", "insert"),
    _F("joined", "Words run together without spaces.", spacing.joined, "obfuscation",
       "rewrite"),
    _F("whitespace", "Spaces replaced by no-break, thin or ideographic spaces.",
       spacing.whitespace, "obfuscation"),
    _F("random_case", "Letters in random upper and lower case.", case_typos.random_case,
       "obfuscation"),
    _F("typos", "Neighbouring letters swapped and letters deleted (8% of letters).",
       case_typos.typos, "obfuscation", "rewrite"),
    _F("base64", "Base64 of the content or its key sentence, with or without a lead-in.",
       encodings.base64_family, "encodings", "rewrite", options=_ENCODED, random=False),
    _F("hex", "Hex bytes of the content or its key sentence.", encodings.hex_family,
       "encodings", "rewrite", options=_ENCODED, random=False),
    _F("rot13", "ROT13 of the content or its key sentence.", encodings.rot13_family,
       "encodings", "rewrite", options=_ENCODED, random=False),
    _F("quoted", "Quoted as something someone else sent.", framing.quoted, "framing",
       "insert"),
    _F("fiction", "Framed as a hypothetical or a piece of fiction.", framing.fiction,
       "framing", "insert"),
    _F("code_block", "Inside a Markdown code block.", framing.code_block, "framing", "insert"),
    _F("padding", "Padded with benign sentences before and after.", framing.padding,
       "framing", "insert", {"sentences": 2}),
    _F("ignore_policy", "Tells the model to ignore the policy and answer allowed.",
       injection.ignore_policy, "injection", "insert"),
    _F("claims_author", "Claims to come from the policy's author or an evaluator.",
       injection.claims_author, "injection", "insert"),
    _F("fake_answer", "Ends with a fake final answer line in the policy's own words.",
       injection.fake_answer, "injection", "insert"),
    _F("harmony_markers", "Carries harmony-looking markers such as <|channel|>final.",
       injection.harmony_markers, "injection", "insert"),
)  # fmt: skip
FAMILIES: dict[str, Family] = {f.name: f for f in BUILT_IN}
PRESETS: dict[str, tuple[str, ...]] = {
    group: tuple(f.name for f in BUILT_IN if f.group == group)
    for group in ("obfuscation", "encodings", "framing", "injection")
}
PRESETS["all"] = tuple(f.name for f in BUILT_IN if f.group != "control")


def stacked(first: Family, second: Family) -> Family:
    """``first`` then ``second`` on its output (``leet+spaced``)."""

    def transform(text: str, rng: Draws, opts: Mapping) -> Result:
        context = {k: v for k, v in opts.items() if k not in ("first", "second")}
        inner = first.transform(text, rng, {**opts.get("first", {}), **context})
        middle = assemble(inner)[0]
        return compose(inner, second.transform(middle, rng, {**opts.get("second", {}), **context}))

    kind = first.kind if first.kind == second.kind else "rewrite"
    count = max(len(first.options), len(second.options))
    options = tuple({"first": first.params(n), "second": second.params(n)} for n in range(count))
    return Family(
        f"{first.name}{STACK}{second.name}", f"{first.description} Then: {second.description}",
        transform, "stacked", kind, options=options, random=first.random or second.random,
    )  # fmt: skip


def resolve(names: Sequence[str], extra: Mapping[str, Family] | None = None) -> list[Family]:
    """The families named (presets expanded, ``a+b`` stacked, duplicates once), or one
    sentence naming the first unknown one."""
    known = {**FAMILIES, **(extra or {})}
    out: dict[str, Family] = {}
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name in PRESETS:
            out.update((n, known[n]) for n in PRESETS[name])
            continue
        parts = name.split(STACK)
        unknown = [p for p in parts if p not in known]
        if unknown or len(parts) > 2:
            what = f"Unknown family '{unknown[0]}'" if unknown else f"'{name}' stacks more than two"
            choices = ", ".join([*PRESETS, *known])
            raise FamilyError(f"{what}; use one of {choices} (or two joined by +).")
        family = known[name] if len(parts) == 1 else stacked(known[parts[0]], known[parts[1]])
        out[family.name] = family
    if not out:
        raise FamilyError("No family chosen; name at least one, e.g. leet or base64.")
    return list(out.values())


def check_variant_count(count: int) -> int:
    if not 1 <= count <= MAX_VARIANTS:
        raise FamilyError(
            f"The number of variants per case must be 1 to {MAX_VARIANTS}, not {count}; "
            "use 1 to 5 for a first look."
        )
    return count


def make_variant(
    case_id: str, text: str, family: Family, index: int, seed: int, context: Mapping
) -> Variant:
    """Variant ``index`` of one case (``context``: the run's facts, e.g. the allowed label)."""
    params = family.params(index)
    rng = make_rng(seed, family.name, case_id, index) if family.random else Draws(b"fixed")
    variant_text, changed = assemble(family.transform(text, rng, {**params, **context}))
    return Variant(case_id, family.name, index, variant_text, params, changed)
