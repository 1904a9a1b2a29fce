"""manage.py translation_usage: a month's use against the budget."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from cms.models import Office
from translation.budget import budget_set, month_start
from translation.models import MonthlyBudgetUse, UsageRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger(db):
    """This month: Paris 3,000 characters fr→ja, London 1,000 en→ja; and
    500 characters in an earlier month."""
    UsageRecord.objects.all().delete()
    MonthlyBudgetUse.objects.all().delete()
    budget_set(characters=10_000)
    offices = {office.code: office for office in Office.objects.all()}
    this_month = month_start()
    for office, source, characters, month in [
        ("par", "fr", 2_000, this_month),
        ("par", "fr", 1_000, this_month),
        ("lon", "en", 1_000, this_month),
        ("lon", "en", 500, date(2020, 1, 1)),
    ]:
        UsageRecord.objects.create(
            month=month,
            office=offices[office],
            source_language=source,
            target_language="ja",
            billed_characters=characters,
            texts=3,
            backend="memory",
            origin="job",
        )


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("translation_usage", *args, stdout=out)
    return out.getvalue()


def test_the_table_shows_offices_pairs_total_share_and_state():
    out = _run()
    assert f"Machine translation, {month_start():%Y-%m}" in out
    assert "Billed 4,000 of 10,000 characters (40.0%); 6,000 left." in out
    assert "Budget: within the budget." in out
    lines = out.splitlines()
    assert any(line.startswith("par ") and line.endswith("3,000") for line in lines)
    assert any(line.startswith("lon ") and line.endswith("1,000") for line in lines)
    assert any(line.startswith("Total") and line.endswith("4,000") for line in lines)
    assert any(line.startswith("fr -> ja") and "3,000" in line for line in lines)
    assert any(line.startswith("en -> ja") and "1,000" in line for line in lines)


def test_a_given_month():
    data = json.loads(_run("--month", "2020-01", "--format", "json"))
    assert data["month"] == "2020-01"
    assert data["billed"] == 500
    assert data["pairs"] == [{"from": "en", "to": "ja", "characters": 500, "texts": 3}]


def test_json_holds_the_figures_and_the_budget_state():
    data = json.loads(_run("--format", "json"))
    assert data["budget"] == 10_000
    assert data["billed"] == data["counted"] == 4_000
    assert data["remaining"] == 6_000
    assert data["share"] == 0.4
    assert data["state"] == "ok"
    offices = {row["office"]: row["characters"] for row in data["offices"]}
    assert offices["par"] == 3_000 and offices["lon"] == 1_000
    assert set(offices) == set(Office.objects.values_list("code", flat=True))
    assert sum(offices.values()) == 4_000


def test_csv_has_one_row_per_office_and_pair_and_a_total():
    rows = list(csv.DictReader(io.StringIO(_run("--format", "csv"))))
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    offices = {row["office"]: int(row["characters"]) for row in by_kind["office"]}
    assert offices["par"] == 3_000
    pairs = {
        (row["source_language"], row["target_language"]): int(row["characters"])
        for row in by_kind["pair"]
    }
    assert pairs == {("fr", "ja"): 3_000, ("en", "ja"): 1_000}
    (total,) = by_kind["total"]
    assert total["characters"] == "4000" and total["budget"] == "10000"
    assert total["share"] == "0.4000" and total["state"] == "ok"


@pytest.mark.parametrize(
    ("budget", "state", "words"),
    [
        (5_000, "warning", "Budget: warning: 80% or more of the budget used."),
        (4_000, "stopped", "Budget: stopped: the budget is spent"),
    ],
)
def test_the_budget_state_at_80_and_100_percent(budget, state, words):
    budget_set(characters=budget)
    assert words in _run()
    assert json.loads(_run("--format", "json"))["state"] == state


@pytest.mark.parametrize("month", ["2026-13", "May", "2026-5", "0000-01", ""])
def test_a_bad_month_is_a_clear_error(month):
    with pytest.raises(CommandError, match="is not a month: write it as YYYY-MM"):
        _run("--month", month)


def test_an_unknown_format_is_refused():
    with pytest.raises(CommandError, match="invalid choice"):
        _run("--format", "xml")
