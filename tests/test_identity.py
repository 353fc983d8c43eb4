"""Identity across sources: a registry label or alias stands for its entity wherever an entity ID is taken (annotation
values, query parameters, views, the server's /id/ paths), and `registry find` lists the entities a name may be."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ONTOLOGY, sanctiongraph_server

from sanctiongraph.builder.dataset import build_dataset
from sanctiongraph.cli import main
from sanctiongraph.errors import SourceError, UsageError
from sanctiongraph.identity import AmbiguousName, Names
from sanctiongraph.namespaces import ID, PROV, SG
from sanctiongraph.query.facts import load_facts
from sanctiongraph.query.running import run_query
from sanctiongraph.viz import entity_view

LEDGER = ID + "source/fixture-kuzbass-ledger-2025-03-mines"


def test_names_are_compared_by_key_and_an_ambiguous_one_names_nobody() -> None:
    names = Names([("kemerovo-oblast", "Kemerovo Oblast"), ("kemerovo-oblast", "Kuzbass"),
                   ("kemerovo-oblast", "Kemerovo region"), ("kemerovo", "Kemerovo"), ("kemerovo-city", "Kemerovo")])
    assert names.resolve("KUZBASS") == names.resolve("kuzbass") == "kemerovo-oblast"
    assert names.resolve("kemerovo-region") == "kemerovo-oblast"
    assert names.resolve("kemerovo") == "kemerovo"  # an ID is itself, whatever labels others carry
    with pytest.raises(AmbiguousName, match="names several entities"):
        names.resolve("Kemerovo ")
    assert names.resolve("Novosibirsk") is None
    with pytest.raises(ValueError, match=r"did you mean .*'kemerovo-oblast' \(Kuzbass\)"):
        names.identify("kuzbas")


def test_annotations_take_labels_and_aliases_for_ids(store: ox.Store) -> None:
    """The Kuzbass Ledger's fixture writes `place: Kuzbass`, `claimant: Seredyuk` and `via: [Siberian Courier]`."""
    def objects(subject: str, predicate: str) -> set[str]:
        return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)}

    assert objects(LEDGER + "/companies-halted", SG + "place") == {ID + "kemerovo-oblast"}
    assert objects(LEDGER + "/companies-halted", PROV + "wasAttributedTo") == {ID + "seredyuk"}
    reporters = {r for step in objects(LEDGER + "/seredyuk-to-lawmakers", SG + "reportingStep") for r in objects(step, SG + "reporter")}
    assert reporters == {ID + "siberian-courier", ID + "kuzbass-ledger"}


def test_an_alias_of_two_entities_is_an_error_at_its_line(sources: Path, tmp_path: Path) -> None:
    copy = tmp_path / "sources"
    shutil.copytree(sources, copy)
    registry = copy / "entities.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\nkuzbass-coal:\n  type: Company\n  label: Kuzbass Coal\n  aliases: [Kuzbass]\n",
                        encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        build_dataset(copy, ONTOLOGY)
    assert raised.value.where == "articles/fixture-kuzbass-ledger-2025-03-mines.yaml:31"
    assert "'Kuzbass' names several entities (kemerovo-oblast, kuzbass-coal); give the ID of one" in raised.value.message


def test_query_parameters_take_labels_and_aliases(graph: Path) -> None:
    by_id = run_query("entity-profile", {"entity": "kemerovo-oblast"}, graph=graph)
    assert by_id.rows
    for name in ("Kuzbass", "kemerovo region", "id:kemerovo-oblast", ID + "kemerovo-oblast"):
        assert run_query("entity-profile", {"entity": name}, graph=graph).rows == by_id.rows, name
    with pytest.raises(UsageError, match=r"parameter entity: no entity 'Kuzbas' in the graph's registry; did you mean .*\(Kuzbass\)"):
        run_query("entity-profile", {"entity": "Kuzbas"}, graph=graph)


def test_an_entity_view_takes_an_alias(store: ox.Store) -> None:
    view = entity_view(store, load_facts(store), "Kuzbass", hops=1)
    assert view.slug == "entity-kemerovo-oblast-1"


def test_registry_find_lists_candidates_by_label_and_alias(sources: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "find", "kuzbas", "--sources", str(sources), "--format", "json"]) == 0
    rows = [{k: v["value"] for k, v in row.items()} for row in json.loads(capsys.readouterr().out)["results"]["bindings"]]
    assert rows[0] == {"id": "kemerovo-oblast", "label": "Kemerovo Oblast", "matched": "Kuzbass", "score": rows[0]["score"]}
    assert "kuzbass-ledger" in [row["id"] for row in rows]
    assert [float(row["score"]) for row in rows] == sorted((float(row["score"]) for row in rows), reverse=True)
    assert main(["registry", "find", "Seredyuk", "--sources", str(sources), "--format", "csv", "--limit", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == ["id,label,matched,score", "seredyuk,Ilya Seredyuk,Seredyuk,100.0"]


def test_the_server_takes_an_alias_for_an_entity_in_paths_and_query_parameters(graph: Path, tmp_path: Path) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def status(url: str) -> tuple[int, str | None]:
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(url)
        with answer.value:
            return answer.value.code, answer.value.headers["Location"]

    with sanctiongraph_server(graph, tmp_path) as root:
        assert status(root + "id/kuzbass") == status(root + "id/Kemerovo-region") == (303, "kemerovo-oblast")
        assert status(root + "id/kemerovo-oblast") == (303, "kemerovo-oblast.html")
        assert status(root + "id/kuzbas")[0] == 404

        def profile(name: str) -> bytes:
            request = urllib.request.Request(f"{root}queries/entity-profile?entity={urllib.parse.quote(name)}", headers={"Accept": "text/csv"})
            with opener.open(request) as answer:
                return bytes(answer.read())

        by_id = profile("kemerovo-oblast")
        assert by_id.count(b"\n") > 1
        for name in ("Kuzbass", "kemerovo region", "Kemerovo Oblast", "id:kemerovo-oblast"):
            assert profile(name) == by_id, name
        with pytest.raises(urllib.error.HTTPError) as refused:
            profile("Kuzbas")
        with refused.value:
            assert refused.value.code == 400
            assert "parameter entity: no entity 'Kuzbas' in the graph's registry; did you mean" in refused.value.read().decode()
