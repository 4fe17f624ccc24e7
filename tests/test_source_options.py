"""The source registry: each source takes the options it declares and refuses any other by name."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest

from zspace.data.sources import SOURCES, SourceOptions, open_source
from zspace.errors import ZspaceError

# A value for every option, set (not its default).
GIVEN = {"path": "/nonexistent", "size": 16, "count": 5, "seed": 3, "crop": 40, "labels": "/nonexistent"}


def test_every_declared_option_is_an_option() -> None:
    names = {f.name for f in fields(SourceOptions)}
    assert set(GIVEN) == names
    for name, entry in SOURCES.items():
        assert set(entry.accepts) <= names, name


@pytest.mark.parametrize("name", list(SOURCES))
def test_each_option_a_source_does_not_take_is_refused_by_name(name: str) -> None:
    for option in sorted(set(GIVEN) - set(SOURCES[name].accepts)):
        with pytest.raises(ZspaceError, match=f"option {option} .* does not apply to source '{name}'") as caught:
            open_source(name, SourceOptions(**{option: GIVEN[option]}))
        assert caught.value.options == (option,)


def test_a_seed_left_at_its_default_is_not_refused_but_another_is() -> None:
    assert open_source("digits", SourceOptions(seed=0, count=4)).count == 4
    with pytest.raises(ZspaceError, match="option seed"):
        open_source("digits", SourceOptions(seed=1))  # was silently ignored: the digits are fixed


@dataclass(frozen=True)
class NewerOptions(SourceOptions):
    """SourceOptions with a field added later, that no source has declared yet."""

    gamma: float | None = None


@pytest.mark.parametrize("name", list(SOURCES))
def test_a_new_option_is_refused_until_a_source_declares_it(name: str) -> None:
    with pytest.raises(ZspaceError, match=f"option gamma \\(2.2\\) does not apply to source '{name}'"):
        open_source(name, NewerOptions(gamma=2.2))


def test_a_new_option_left_unset_is_not_in_the_way() -> None:
    assert open_source("digits", NewerOptions(size=8, count=3)).count == 3
