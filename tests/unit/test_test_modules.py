"""pytest imports test modules by their basename (no packages under tests/), so two modules
of the same name stop the whole collection: each name is used once."""

from collections import Counter

from contracts.paths import REPO


def test_every_test_module_has_a_name_of_its_own() -> None:
    names = Counter(p.name for p in (REPO / "tests").rglob("test_*.py"))
    assert [name for name, n in names.items() if n > 1] == []
