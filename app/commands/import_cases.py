"""``safeguard-studio import``: turn a CSV/TSV/JSONL export into a policy's test set.

The column mapping is given as options: a header name (any case), or a column number counted
from 1 (the first column is 1). ``--content-col C --label-col L`` may be repeated: each pair
gives one case per row, tagged with the content column's name. The header row is found below
a title or disclaimer line (the report says which row was used) unless ``--header-row N``.
Labels are normalised against the policy's output format (see :mod:`app.importing.importer`);
every skipped row is listed with its row number, pair and reason, after counts by reason.
Without ``--label-col`` the column whose cells are labels or tiers of the policy is used
(and named); a file with no such column imports with ``--keep-unlabelled`` (cases with no
expected label, as in the window, and a line saying how many). Labels the policy does not know are counted and a ``--map`` is suggested
(``--map SP0=VALID,SP2=INVALID``; ``--map auto`` takes the suggestion). Several pairs are a
prompt and its responses: each response case keeps its row's prompt (``--no-link-pairs``
imports them as unrelated cases tagged with their column names).
An existing test set is not overwritten unless ``--force`` (or ``--append``) is given; an
appended test set keeps every field of its lines.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import CommandError
from app.core.cases import CasesError, cases_path_for, load_cases
from app.core.policy import OutputFormat, PolicyError, load_policy
from app.importing.importer import (
    ColumnMapping,
    ImportFileError,
    ImportPreview,
    ImportResult,
    export_jsonl,
    import_cases,
    preview,
)
from app.importing.labels import (
    LabelMapError,
    guess_label_column,
    map_key,
    map_option,
    parse_label_map,
    suggest_label_map,
)

GUESS_ROWS = 200  # rows read to guess the label column


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import",
        help="import a CSV, TSV or JSONL file as a test set",
        description="Import a CSV, TSV or JSONL file as a policy's test set (JSONL). Columns "
        "are header names or numbers counted from 1.",
    )
    parser.add_argument("source", type=Path, metavar="SRC", help="CSV, TSV or JSONL file")
    parser.add_argument("--policy", required=True, type=Path, help="policy the labels follow")
    parser.add_argument(
        "--content-col", required=True, action="append",
        help="column with the content; repeat with --label-col for more pairs",
    )  # fmt: skip
    parser.add_argument(
        "--label-col", action="append", default=[],
        help="column with the expected label (one per --content-col, in order; default: the "
        "column that holds labels or tiers of the policy)",
    )  # fmt: skip
    parser.add_argument(
        "--map", metavar="VALUE=LABEL,...",
        help="read these label values as these policy labels (SP0=VALID,SP2=INVALID), or "
        "'auto' for the mapping suggested when labels are unknown",
    )  # fmt: skip
    parser.add_argument(
        "--link-pairs", action=argparse.BooleanOptionalAction, default=True,
        help="with several pairs, the first is the prompt and each response case keeps it "
        "(default); --no-link-pairs imports them as unrelated cases",
    )  # fmt: skip
    parser.add_argument(
        "--header-row", type=int, metavar="N",
        help="row number of the header (default: found below any title or disclaimer line)",
    )  # fmt: skip
    parser.add_argument("--id-col", help="column with a case id (default: row-N)")
    parser.add_argument("--notes-col", help="column with notes")
    parser.add_argument("--tags-col", help="column with tags (comma, ; or | separated)")
    parser.add_argument("--prompt-col", help="column with the prompt each response answers")
    parser.add_argument("--no-header", action="store_true", help="the first row is data")
    parser.add_argument("--keep-unlabelled", action="store_true", help="keep rows with no label")
    parser.add_argument("--out", type=Path, help="test set to write (default: beside the policy)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--force", action="store_true", help="overwrite an existing test set")
    group.add_argument("--append", action="store_true", help="add to an existing test set")
    return parser


def _column(spec: str | None, columns: list[str], header: bool) -> str | int | None:
    """A CLI column: a header name, else a number counted from 1 (made 0-based here)."""
    if spec is None:
        return None
    text = spec.strip()
    if header and text.lower() in (c.lower() for c in columns):
        return text
    if text.isdigit():
        if int(text) < 1:
            raise CommandError(f"Column number {text} is not valid; the first column is 1.")
        return int(text) - 1
    if not header:
        raise CommandError(
            f"Column '{text}' is a name but the file has no header; give its number (from 1)."
        )
    return text


def _label_cols(args: argparse.Namespace, head: ImportPreview, output: OutputFormat) -> list[str]:
    """The --label-col values, or the guessed label column (as a number from 1, said)."""
    if args.label_col or len(args.content_col) > 1:
        return args.label_col
    content = _column(args.content_col[0], head.columns, head.has_header)
    skip = {content if isinstance(content, int) else _position(content, head.columns)}
    guess = guess_label_column(head.rows, output, skip)
    if guess is None and args.keep_unlabelled:
        print("No label column: every case is imported with no expected label.")
        return []
    if guess is None:
        raise CommandError(
            "No column holds labels of this policy; name the label column with --label-col, "
            "or pass --keep-unlabelled to import the rows without labels."
        )
    print(f"Label column: {head.columns[guess]} (its cells are labels or tiers; "
          "give --label-col to choose another).")  # fmt: skip
    return [str(guess + 1)]


def _position(name: str, columns: list[str]) -> int:
    lowered = [c.strip().lower() for c in columns]
    return lowered.index(name.strip().lower()) if name.strip().lower() in lowered else -1


def _mapping(
    args: argparse.Namespace, columns: list[str], has_header: bool, label_map: dict[str, str]
) -> ColumnMapping:
    labels = args.label_col or ([None] if len(args.content_col) == 1 else [])
    if len(args.content_col) != len(labels):
        raise CommandError(
            f"{len(args.content_col)} --content-col and {len(args.label_col)} --label-col were "
            "given; give them in pairs, one --label-col after each --content-col."
        )
    pairs = [
        (_column(c, columns, has_header), _column(lab, columns, has_header))
        for c, lab in zip(args.content_col, labels, strict=True)
    ]
    names = ("id", "notes", "tags", "prompt")
    specs = {name: _column(getattr(args, f"{name}_col"), columns, has_header) for name in names}
    (content, expected), *more = pairs
    return ColumnMapping(
        content=content, expected=expected, id=specs["id"], notes=specs["notes"],
        tags=specs["tags"], prompt=specs["prompt"], has_header=has_header,
        keep_unlabelled=args.keep_unlabelled, extra_pairs=more, header_row=args.header_row,
        link_pairs=args.link_pairs, label_map=label_map,
    )  # fmt: skip


def _unknown_line(result: ImportResult, output: OutputFormat) -> str:
    """One sentence on the labels the policy does not know, with a --map to use ('' if none)."""
    if not result.unknown_labels:
        return ""
    counts = sorted(result.unknown_labels.items(), key=lambda item: -item[1])
    shown = ", ".join(f"{value} ({count})" for value, count in counts[:8])
    more = f" and {len(counts) - 8} more" if len(counts) > 8 else ""
    suggestion = suggest_label_map([value for value, _ in counts], output)
    how = (
        f"map them with --map {map_option(suggestion)} (or --map auto for that suggestion), "
        "or state the policy's tiers in the policy"
        if suggestion
        else f"fix them, or map them to {' / '.join(output.labels)} with --map VALUE=LABEL"
    )
    rows = sum(result.unknown_labels.values())
    return (
        f"{rows} row{'s' if rows > 1 else ''} {'have labels' if rows > 1 else 'has a label'} "
        f"this policy does not know: {shown}{more}; {how}."
    )


def _label_map(
    args: argparse.Namespace, source: Path, mapping_args: ColumnMapping, output: OutputFormat
) -> dict[str, str]:
    """The --map option as a mapping; ``auto`` imports once to find the unknown labels."""
    if not args.map:
        return {}
    if args.map.strip().lower() != "auto":
        return parse_label_map(args.map, output)
    first = import_cases(source, mapping_args, output)
    suggested = suggest_label_map(list(first.unknown_labels), output)
    return {map_key(value): label for value, label in suggested.items()}


def run(args: argparse.Namespace) -> int:
    if args.header_row is not None and (args.header_row < 1 or args.no_header):
        raise CommandError(
            "--header-row counts rows from 1 and cannot go with --no-header; fix the option."
        )
    try:
        policy = load_policy(args.policy)
        head = preview(args.source, n=GUESS_ROWS, header_row=args.header_row)
    except (PolicyError, ImportFileError) as exc:
        raise CommandError(str(exc)) from None
    has_header = not args.no_header or head.format == "jsonl"
    args.label_col = _label_cols(args, head, policy.output)
    mapping = _mapping(args, head.columns, has_header, {})
    try:
        mapping.label_map = _label_map(args, args.source, mapping, policy.output)
        result = import_cases(args.source, mapping, policy.output)
    except (ImportFileError, LabelMapError) as exc:
        raise CommandError(str(exc)) from None
    out = args.out or cases_path_for(args.policy)
    existing = []
    if out.exists():
        if not (args.force or args.append):
            raise CommandError(f"{out} already exists; pass --force to replace it or --append.")
        if args.append:
            try:
                existing = load_cases(out, policy.output)
            except CasesError as exc:
                raise CommandError(str(exc)) from None
    print(result.report())
    unknown = _unknown_line(result, policy.output)
    taken = {case.id for case in existing}
    clashes = [case.id for case in result.cases if case.id in taken]
    if clashes:
        raise CommandError(
            f"{len(clashes)} imported ids already exist in {out} (first: {clashes[0]}); "
            "use --id-col with unique ids or --force."
        )
    if not result.cases:
        raise CommandError(
            unknown or f"No rows of {args.source} could be imported; check the mapping."
        )
    if unknown:
        print(unknown)
    unlabelled = sum(1 for case in result.cases if not case.expected)
    if unlabelled:
        print(
            f"{unlabelled} of {len(result.cases)} cases have no expected label; "
            "choose their labels in the window (Expected) before measuring agreement."
        )
    export_jsonl(out, existing + result.cases)
    print(f"Wrote {len(result.cases)} cases to {out} (read as {result.encoding}).")
    return 0
