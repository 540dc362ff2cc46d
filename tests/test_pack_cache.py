"""What a rule pack derives is computed once per pack, and is what it was (issue 12)."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import stat
from pathlib import Path

import pytest

from partnerfit import pack as pack_module
from partnerfit.errors import PackError
from partnerfit.pack import RulePack, default_rules_dir, load_pack


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack()


def test_active_is_computed_once_and_is_the_rules_not_disabled(pack: RulePack) -> None:
    expected = tuple(lr for lr in pack.rules if lr.rule.id not in pack.disabled)
    assert pack.active() == expected
    assert pack.active() is pack.active()


def test_a_replaced_pack_starts_afresh(pack: RulePack) -> None:
    pack.active()
    first = pack.rules[0].rule.id
    fewer = dataclasses.replace(pack, disabled=(*pack.disabled, first))
    assert [lr.rule.id for lr in fewer.active()] == [
        lr.rule.id for lr in pack.active() if lr.rule.id != first
    ]
    assert len(fewer.active()) == len(pack.active()) - 1
    assert first in [lr.rule.id for lr in pack.active()]


def test_rule_by_id_or_name_is_the_first_in_pack_order(pack: RulePack) -> None:
    for lr in pack.rules:
        naive = next(x for x in pack.rules if lr.rule.id in (x.rule.id, x.rule.name))
        assert pack.rule(lr.rule.id) is naive
        by_name = next(x for x in pack.rules if lr.rule.name in (x.rule.id, x.rule.name))
        assert pack.rule(lr.rule.name) is by_name


def test_an_unknown_rule_is_still_refused_with_a_hint(pack: RulePack) -> None:
    rid = pack.rules[0].rule.id
    with pytest.raises(PackError, match=f"no rule '{rid}x' in pack .*did you mean '{rid}'"):
        pack.rule(rid + "x")


# The compiled-pack cache between processes. Off under pytest unless a test asks for it.


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache turned on, in a fresh folder; the per-process cache emptied."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PARTNERFIT_CACHE_IN_TESTS", "1")
    monkeypatch.delenv(pack_module.NO_CACHE_VARIABLE, raising=False)
    monkeypatch.setattr(pack_module, "_cache", {})
    return tmp_path / "xdg" / "partnerfit"


def _copy_of_default_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(default_rules_dir(), folder)
    return folder


def _fresh(folder: Path) -> RulePack:
    pack_module._cache.clear()
    return load_pack(folder)


def test_cache_is_off_in_tests_and_with_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PARTNERFIT_CACHE_IN_TESTS", raising=False)
    assert pack_module._cache_dir() is None
    monkeypatch.setenv("PARTNERFIT_CACHE_IN_TESTS", "1")
    assert pack_module._cache_dir() == tmp_path / "partnerfit"
    monkeypatch.setenv(pack_module.NO_CACHE_VARIABLE, "1")
    assert pack_module._cache_dir() is None
    # While pytest collects (module-level code), there is no PYTEST_CURRENT_TEST yet.
    monkeypatch.delenv(pack_module.NO_CACHE_VARIABLE)
    monkeypatch.delenv("PARTNERFIT_CACHE_IN_TESTS")
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert pack_module._cache_dir() is None


def _no_load(paths: object) -> RulePack:
    raise AssertionError("the pack was loaded from its files, not from the cache")


def test_a_cached_pack_equals_the_loaded_one(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_of_default_pack(tmp_path)
    first = _fresh(folder)
    files = list(cache.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    monkeypatch.setattr(pack_module, "_load", _no_load)  # a second load must be a hit
    again = _fresh(folder)
    assert again is not first
    assert again == first
    assert again.compiled == first.compiled
    assert again.active() == first.active()


def test_any_change_to_a_pack_file_is_a_new_entry(tmp_path: Path, cache: Path) -> None:
    folder = _copy_of_default_pack(tmp_path)
    first = _fresh(folder)
    manifest = folder / "pack.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(f"version: {first.version}", "version: 9.9.9"),
        encoding="utf-8",
    )
    changed = _fresh(folder)
    assert changed.version == "9.9.9"
    assert len(list(cache.iterdir())) == 2


@pytest.mark.parametrize("damage", ["garbage", "empty", "foreign object", "shared folder"])
def test_a_damaged_or_untrusted_cache_is_ignored(tmp_path: Path, cache: Path, damage: str) -> None:
    folder = _copy_of_default_pack(tmp_path)
    first = _fresh(folder)
    (file,) = cache.iterdir()
    if damage == "garbage":
        file.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "empty":
        file.write_bytes(b"")
    elif damage == "foreign object":
        file.write_bytes(pickle.dumps({"not": "a pack"}))
    else:
        cache.chmod(0o777)
    assert _fresh(folder) == first
    if damage != "shared folder":  # rebuilt and stored again
        assert pickle.loads(file.read_bytes()) == first


def test_an_unwritable_cache_folder_is_no_failure(tmp_path: Path, cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("a file where the folder should be", encoding="utf-8")
    folder = _copy_of_default_pack(tmp_path)
    assert _fresh(folder).active()
    assert cache.read_text(encoding="utf-8") == "a file where the folder should be"


def test_a_bad_pack_is_refused_in_the_same_words_with_the_cache(
    tmp_path: Path, cache: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    with pytest.raises(PackError, match=r"no pack\.yaml manifest"):
        _fresh(folder)
    (folder / "pack.yaml").write_text("name: [\n", encoding="utf-8")
    with pytest.raises(PackError):
        _fresh(folder)
    assert not cache.exists() or list(cache.iterdir()) == []
