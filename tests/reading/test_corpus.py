"""The reader over every real body in tests/data/corpus: the table-driven specification.

Each row says what a correct client does with one real error body and the request that
drew it: the fixes it learns, or that it raises. Rows the reader does not yet get right
are listed, with the reason, in ``expected_failures.json``; they run as strict xfails, so
a row that starts passing fails the suite until its mark is removed. The scores of the
designed-on part and the held-back quarter are printed at the end of every run.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.corpus import (
    DESIGN,
    DIRECTORY,
    HELD_BACK,
    canonical,
    counted,
    held_back,
    judge,
    problems,
    read,
    reader_fixes,
    table,
)

DESIGN_ROWS = read(DESIGN)
HELD_BACK_ROWS = read(HELD_BACK)
ROWS = DESIGN_ROWS + HELD_BACK_ROWS
EXPECTED_FAILURES: dict[str, str] = json.loads((DIRECTORY / "expected_failures.json").read_text("utf-8"))


def _marked(rows: list[dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(
            row,
            id=row["id"],
            marks=[pytest.mark.xfail(strict=True, reason=EXPECTED_FAILURES[row["id"]])]
            if row["id"] in EXPECTED_FAILURES
            else [],
        )
        for row in rows
    ]


def test_corpus_has_the_size_and_spread_it_promises() -> None:
    """At least 250 bodies from at least 12 providers, 60 of them non-repairable lookalikes."""
    assert len(ROWS) >= 250
    assert len({row["provider"] for row in ROWS}) >= 12
    assert sum(1 for row in ROWS if row["outcome"] == "raise" and row.get("lookalike")) >= 60


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_row_is_well_formed(row: dict[str, Any]) -> None:
    """Every row has a source URL, a request, an outcome and fixes in the corpus grammar."""
    assert problems(row) == []


def test_ids_and_bodies_are_unique() -> None:
    """No id is used twice, and no (source, body) pair appears twice."""
    assert [k for k, n in Counter(row["id"] for row in ROWS).items() if n > 1] == []
    pairs = Counter((row["source"], canonical(row["body"])) for row in ROWS)
    assert [k[0] for k, n in pairs.items() if n > 1] == []


def test_each_row_sits_in_the_file_its_hash_assigns() -> None:
    """design.jsonl holds exactly the rows the seeded hash keeps, held_back.jsonl the rest."""
    assert [row["id"] for row in DESIGN_ROWS if held_back(row)] == []
    assert [row["id"] for row in HELD_BACK_ROWS if not held_back(row)] == []


def test_held_back_part_is_about_a_quarter() -> None:
    """The seeded hash holds back between a fifth and a third of the rows."""
    assert 0.2 <= len(HELD_BACK_ROWS) / len(ROWS) <= 1 / 3


def test_expected_failures_name_rows_that_exist_with_a_reason() -> None:
    """Every expected-failure mark names a corpus row and gives a reason."""
    ids = {row["id"] for row in ROWS}
    assert sorted(set(EXPECTED_FAILURES) - ids) == []
    assert [k for k, why in EXPECTED_FAILURES.items() if not why.strip()] == []


@pytest.mark.parametrize("row", _marked(DESIGN_ROWS))
def test_design_row(row: dict[str, Any]) -> None:
    """The reader derives exactly the row's fixes (or none, for a raise) from its body and request."""
    assert judge(row, reader_fixes(row)) == "right"


@pytest.mark.parametrize("row", _marked(HELD_BACK_ROWS))
def test_held_back_row(row: dict[str, Any]) -> None:
    """Same as the design rows, on the quarter the reader was not designed on."""
    assert judge(row, reader_fixes(row)) == "right"


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_body_as_text_and_bytes_reads_the_same(row: dict[str, Any]) -> None:
    """The raw JSON text of a body, and its UTF-8 bytes, give the same fixes as the decoded body."""
    decoded = reader_fixes(row)
    text = json.dumps(row["body"], ensure_ascii=False)
    assert reader_fixes({**row, "body": text}) == decoded
    assert reader_fixes({**row, "body": text.encode()}) == decoded


def _bare(row: dict[str, Any]) -> dict[str, Any]:
    """The row's request with every param but the model and a one-message conversation left out."""
    request = row["request"]
    bare: dict[str, Any] = {"model": request.get("model", "my-deployment")}
    if row["endpoint"] == "responses":
        bare["input"] = "Hi"
    else:
        bare["messages"] = [{"role": "user", "content": "Hi"}]
    return {**row, "request": bare}


@pytest.mark.parametrize("row", [r for r in ROWS if r["fixes"]], ids=lambda r: r["id"])
def test_nothing_is_derived_for_params_the_request_does_not_carry(row: dict[str, Any]) -> None:
    """The same body against a request without the params it names gives no fix: names are grounded."""
    assert reader_fixes(_bare(row)) == []


def test_readme_counts_match_the_data() -> None:
    """The per-provider table and the counts in the corpus README's prose are the ones the data gives today."""
    text = (DIRECTORY / "README.md").read_text("utf-8")
    assert table() in text
    assert counted(text, ROWS) == text
