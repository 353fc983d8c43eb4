"""One "did you mean" for every kind of name: query names, IDs, vocabulary values, and entities by label or alias."""

from __future__ import annotations

import pytest

from sanctiongraph.suggestions import did_you_mean, name_key

QUERIES = ["cq02-companies-on-us-sanctions-list", "cq03-kemerovo-mine-suspensions", "cq12-foundered-deals", "listings"]


@pytest.mark.parametrize(("typed", "hint"), [
    ("cq2-companies", "; did you mean 'cq02-companies-on-us-sanctions-list'?"),  # the beginning of a long name
    ("listing", "; did you mean 'listings'?"),  # the whole of a short one
    ("cq03", "; did you mean 'cq03-kemerovo-mine-suspensions'?"),
    ("weather", ""),  # nothing close: no hint
])
def test_names_are_suggested_by_their_whole_or_their_beginning(typed: str, hint: str) -> None:
    assert did_you_mean(typed, QUERIES) == hint


def test_an_alias_suggests_its_entity_with_the_name_it_matched() -> None:
    names = {"Kuzbass": "kemerovo-oblast", "Kemerovo Oblast": "kemerovo-oblast", "Siberian Coal Energy Company": "suek"}
    assert did_you_mean("KUZBAS", ["kemerovo-oblast", "suek"], names) == "; did you mean 'kemerovo-oblast' (Kuzbass)?"
    assert did_you_mean("siberian coal energy", ["suek"], names) == "; did you mean 'suek' (Siberian Coal Energy Company)?"


def test_suggestions_much_less_close_than_the_closest_are_left_out() -> None:
    names = {"Siberian Coal Energy Company": "suek"}
    assert did_you_mean("siberian-courir", ["siberian-courier", "suek"], names) == "; did you mean 'siberian-courier'?"


def test_values_that_are_not_text_get_no_hint() -> None:
    assert did_you_mean(3, QUERIES) == ""
    assert did_you_mean(None, QUERIES) == ""


@pytest.mark.parametrize(("name", "key"), [("Kemerovo region", "kemerovo-region"), ("KUZBASS", "kuzbass"),
                                           ("  S&P  Global ", "s-p-global")])
def test_names_compare_case_and_punctuation_aside(name: str, key: str) -> None:
    assert name_key(name) == key
