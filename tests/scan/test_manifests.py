"""Reading Kubernetes manifests: the real fixtures, every kind of bad input, and fuzzing."""

from __future__ import annotations

import io
import json
import pathlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshkb.scan.manifests import parse_manifests
from meshkb.scan.read import MAX_INPUT_BYTES, read_manifests
from meshkb.scan.resources import ManifestSet

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"
BOOKINFO = FIXTURES / "bookinfo" / "bookinfo.yaml"
EMOJIVOTO = FIXTURES / "emojivoto" / "emojivoto.yml"

GOOD_SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n"


def refs(manifests: ManifestSet) -> list[str]:
    return [resource.ref for resource in manifests.resources]


def messages(manifests: ManifestSet) -> list[str]:
    return [str(problem) for problem in manifests.problems]


def test_bookinfo_resources_with_their_origins() -> None:
    read = read_manifests([BOOKINFO])
    assert read.problems == () and read.notices == () and read.inputs_read == 1
    found = [(r.ref, r.origin.document, r.origin.line) for r in read.resources]
    assert found == [
        ("Service default/details", 1, 32),
        ("ServiceAccount default/bookinfo-details", 2, 46),
        ("Deployment default/details-v1", 3, 53),
        ("Service default/ratings", 4, 83),
        ("ServiceAccount default/bookinfo-ratings", 5, 97),
        ("Deployment default/ratings-v1", 6, 104),
        ("Service default/reviews", 7, 134),
        ("ServiceAccount default/bookinfo-reviews", 8, 148),
        ("Deployment default/reviews-v1", 9, 155),
        ("Deployment default/reviews-v2", 10, 200),
        ("Deployment default/reviews-v3", 11, 241),
        ("Service default/productpage", 12, 284),
        ("ServiceAccount default/bookinfo-productpage", 13, 303),
        ("Deployment default/productpage-v1", 14, 310),
    ]
    assert Counter(r.kind for r in read.resources) == {
        "Service": 4,
        "ServiceAccount": 4,
        "Deployment": 6,
    }
    # No namespace is written: kubectl would use `default`, the manifest itself says none.
    assert {r.namespace for r in read.resources} == {None}
    assert str(read.resources[0].origin) == f"{BOOKINFO} document 1, line 32"


def test_emojivoto_resources() -> None:
    read = read_manifests([EMOJIVOTO])
    assert read.problems == () and read.notices == ()
    assert refs(read) == [
        "Namespace emojivoto",
        "ServiceAccount emojivoto/emoji",
        "Deployment emojivoto/emoji",
        "Service emojivoto/emoji-svc",
        "ServiceAccount emojivoto/voting",
        "Deployment emojivoto/voting",
        "Service emojivoto/voting-svc",
        "ServiceAccount emojivoto/web",
        "Deployment emojivoto/web",
        "Service emojivoto/web-svc",
        "Deployment emojivoto/vote-bot",
    ]
    namespace = read.resources[0]
    assert namespace.cluster_scoped and namespace.effective_namespace is None
    assert [r.origin.line for r in read.resources if r.kind == "Deployment"] == [12, 73, 134, 189]


def test_a_folder_is_read_recursively_in_sorted_order() -> None:
    read = read_manifests([FIXTURES])
    assert read.inputs_read == 2
    files = list(dict.fromkeys(r.origin.file for r in read.resources))
    assert files == [str(BOOKINFO), str(EMOJIVOTO)]
    assert len(read.resources) == 14 + 11


def test_folder_walk_skips_hidden_and_other_files_and_sorts(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.yml").write_text(GOOD_SERVICE.format(name="z"))
    (tmp_path / "a.JSON").write_text(
        json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}})
    )
    (tmp_path / "c.yaml").write_text(GOOD_SERVICE.format(name="c"))
    (tmp_path / "notes.txt").write_text("kind: nothing")
    (tmp_path / ".git" / "x.yaml").write_text(GOOD_SERVICE.format(name="hidden"))
    assert refs(read_manifests([tmp_path])) == [
        "Service default/a",
        "Service default/z",
        "Service default/c",
    ]


def test_kubectl_list_is_flattened_with_item_origins(tmp_path: Path) -> None:
    listing = tmp_path / "get.yaml"
    listing.write_text(
        "apiVersion: v1\n"
        "kind: List\n"
        "items:\n"
        "- apiVersion: apps/v1\n"
        "  kind: Deployment\n"
        "  metadata: {name: web, namespace: shop}\n"
        "- apiVersion: v1\n"
        "  kind: Service\n"
        "  metadata: {name: web, namespace: shop}\n"
        "- just a string\n"
    )
    read = read_manifests([listing])
    assert refs(read) == ["Deployment shop/web", "Service shop/web"]
    assert [(r.origin.item, r.origin.line) for r in read.resources] == [(1, 4), (2, 7)]
    assert messages(read) == [
        f"{listing}:10: document 1: item 3: is a string, not a Kubernetes object (a mapping)"
    ]


def test_typed_list_items_take_kind_and_api_version_from_the_list(tmp_path: Path) -> None:
    listing = tmp_path / "deployments.json"
    listing.write_text(
        json.dumps(
            {
                "apiVersion": "apps/v1",
                "kind": "DeploymentList",
                "items": [{"metadata": {"name": "api", "namespace": "prod"}, "spec": {}}],
            },
            indent=4,
        )
    )
    read = read_manifests([listing])
    assert refs(read) == ["Deployment prod/api"]
    assert read.resources[0].api_version == "apps/v1"


def test_stdin_is_read_for_dash() -> None:
    stdin = io.BytesIO(
        (GOOD_SERVICE.format(name="a") + "---\n" + GOOD_SERVICE.format(name="b")).encode()
    )
    read = read_manifests(["-"], stdin=stdin)
    assert refs(read) == ["Service default/a", "Service default/b"]
    assert [r.origin.file for r in read.resources] == ["<stdin>", "<stdin>"]
    assert [r.origin.line for r in read.resources] == [1, 6]


def test_text_stdin_and_bom_are_accepted() -> None:
    read = read_manifests(["-"], stdin=io.StringIO("\ufeff" + GOOD_SERVICE.format(name="a")))
    assert refs(read) == ["Service default/a"]


def test_comments_directives_and_empty_documents(tmp_path: Path) -> None:
    text = (
        "# header comment\n"
        "%YAML 1.1\n"
        "---\n" + GOOD_SERVICE.format(name="a") + "---\n"
        "# only a comment\n"
        "---\n" + GOOD_SERVICE.format(name="b") + "---\n"
    )
    read = parse_manifests(text, "x.yaml")
    assert read.problems == ()
    assert [(r.name, r.origin.document, r.origin.line) for r in read.resources] == [
        ("a", 1, 4),
        ("b", 3, 11),
    ]


def test_dates_stay_strings() -> None:
    read = parse_manifests(
        GOOD_SERVICE.format(name="a") + "  labels: {released: 2024-05-13}\n", "x"
    )
    assert read.resources[0].body["metadata"]["labels"]["released"] == "2024-05-13"


def test_generate_name_stands_in_for_a_name() -> None:
    text = "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n"
    assert refs(parse_manifests(text, "x")) == ["Job default/migrate-*"]


BAD_DOCUMENTS = [
    pytest.param(
        "apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n",
        "document 2: is not valid YAML (while parsing a flow sequence",
        id="malformed",
    ),
    pytest.param("- a\n- list\n", "document 2: is a list, not a Kubernetes object", id="list"),
    pytest.param("just text\n", "document 2: is a string, not a Kubernetes object", id="scalar"),
    pytest.param("apiVersion: v1\nmetadata: {name: x}\n", "document 2: has no kind", id="no-kind"),
    pytest.param(
        "kind: Service\nmetadata: {name: x}\n", "document 2: Service has no apiVersion", id="no-api"
    ),
    pytest.param(
        "apiVersion: v1\nkind: Service\nspec: {}\n",
        "document 2: Service has no metadata",
        id="no-metadata",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Service\nmetadata: {namespace: x}\n",
        "document 2: Service has no metadata.name",
        id="no-name",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Service\nmetadata: {name: 7}\n",
        "document 2: Service metadata.name is not a string",
        id="name-not-string",
    ),
    pytest.param(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
        'data: !!python/object/apply:os.system ["echo pwned"]\n',
        "document 2: uses the YAML tag !!python/object/apply:os.system; meshkb reads plain data",
        id="python-tag",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: !!binary aGk=\n",
        "document 2: uses the YAML tag !!binary",
        id="binary-tag",
    ),
    pytest.param(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nmetadata: {name: b}\n",
        "document 2: key 'metadata' appears twice in one mapping (lines 8 and 9)",
        id="duplicate-key",
    ),
    pytest.param("&r [*r]\n", "document 2: refers to itself through a YAML alias", id="recursive"),
    pytest.param(
        "a: &a [x]\n" + "".join(f"k{i}: *a\n" for i in range(101)),
        "document 2: uses YAML aliases more than 100 times (alias bomb refused)",
        id="many-aliases",
    ),
    pytest.param(
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "document 2: YAML aliases expand it by 74718 nodes (alias bomb refused)",
        id="billion-laughs",
    ),
    pytest.param(
        "a: " + "[" * 300 + "]" * 300 + "\n",
        "document 2: is nested more than 256 levels deep",
        id="too-deep",
    ),
    pytest.param(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {n: " + "9" * 5000 + "}\n",
        "document 2: cannot be read",
        id="huge-integer",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD_DOCUMENTS)
def test_a_bad_document_is_a_problem_and_the_rest_is_read(
    tmp_path: Path, bad: str, message: str
) -> None:
    file = tmp_path / "bookinfo.yaml"
    text = GOOD_SERVICE.format(name="before") + "---\n" + bad + "---\n"
    file.write_text(text + GOOD_SERVICE.format(name="after"))
    read = read_manifests([file, EMOJIVOTO])
    assert refs(read)[:2] == ["Service default/before", "Service default/after"]
    assert len(read.resources) == 2 + 11
    assert len(read.problems) == 1, messages(read)
    problem = read.problems[0]
    assert problem.file == str(file)
    assert problem.line is not None and 6 <= problem.line <= 7 + bad.count("\n")
    assert problem.message.startswith(message), problem.message
    assert str(problem).startswith(f"{file}:{problem.line}")


def test_an_unsafe_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: !!python/object/apply:os.system ["touch {marker}"]\n'
    read = parse_manifests(text, "evil.yaml")
    assert read.resources == () and len(read.problems) == 1
    assert not marker.exists()


def test_an_unknown_kind_is_not_checked_but_no_error(tmp_path: Path) -> None:
    file = tmp_path / "crd.yaml"
    file.write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n---\n"
        + GOOD_SERVICE.format(name="svc")
    )
    read = read_manifests([file])
    assert read.problems == ()
    assert refs(read) == ["Service default/svc"]
    assert [str(n) for n in read.notices] == [
        f"{file}:1: document 1: Widget shop/w (example.com/v1) is not checked: meshkb does not know this kind"
    ]


def test_a_file_over_100_mb_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "a-big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: costs no disk
    opened: list[str] = []
    real_open = pathlib.Path.open

    def spy_open(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self.name)
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pathlib.Path, "open", spy_open)
    good = tmp_path / "b-good.yaml"
    good.write_text(GOOD_SERVICE.format(name="ok"))
    read = read_manifests([tmp_path])
    assert "a-big.yaml" not in opened
    assert refs(read) == ["Service default/ok"]
    assert messages(read) == [
        f"{big}: is {MAX_INPUT_BYTES + 1} bytes; meshkb reads inputs of at most {MAX_INPUT_BYTES} bytes (100 MiB)"
    ]


def test_binary_data_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "b.yaml").write_text(GOOD_SERVICE.format(name="ok"))
    read = read_manifests([tmp_path])
    assert refs(read) == ["Service default/ok"]
    assert messages(read) == [
        f"{tmp_path / 'a.yaml'}: contains NUL bytes: binary data (or UTF-16 text), not a UTF-8 manifest"
    ]


def test_invalid_utf8_names_the_place(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"apiVersion: v1\nkind: Service\nmetadata: {name: caf\xe9}\n")
    (tmp_path / "b.yaml").write_text(GOOD_SERVICE.format(name="ok"))
    read = read_manifests([tmp_path])
    assert refs(read) == ["Service default/ok"]
    assert messages(read) == [f"{tmp_path / 'a.yaml'}:3:21: is not valid UTF-8 (byte 0xe9)"]


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    read = read_manifests([tmp_path / "nope.yaml", tmp_path / "empty", BOOKINFO])
    assert len(read.resources) == 14
    assert messages(read) == [
        f"{tmp_path / 'nope.yaml'}: no such file or folder",
        f"{tmp_path / 'empty'}: no .yaml, .yml or .json files in this folder",
    ]


def test_stdin_over_the_limit_is_refused() -> None:
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            return b"#" * size

    read = read_manifests(["-"], stdin=Endless())  # type: ignore[arg-type]
    assert [p.message.split(";")[0] for p in read.problems] == [f"is {MAX_INPUT_BYTES + 1} bytes"]


YAML_PIECES = [
    "apiVersion: v1\n",
    "kind: Service\n",
    "kind: List\nitems:\n",
    "- ",
    "metadata:\n  name: x\n",
    "metadata: {name: y, namespace: z}\n",
    "---\n",
    "...\n",
    "&a ",
    "*a\n",
    "<<: *a\n",
    "!!python/object:os.system ",
    "!!binary ",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "'",
    '"',
    "\t",
    "  ",
    "%YAML 1.1\n",
    "# c\n",
    "\x00",
    "\ufeff",
    "\u2028",
    "\x85",
    "2024-01-01",
    "1e9999",
    "0x1F",
    "null",
    "~",
    "|\n",
    ">-\n",
    "? ",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_resources_or_problems(data: bytes) -> None:
    read = parse_manifests(data, "fuzz.yaml")
    assert isinstance(read, ManifestSet)
    assert all(p.file == "fuzz.yaml" for p in read.problems + read.notices)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_any_yaml_like_text_gives_resources_or_problems(text: str) -> None:
    for data in (text, text.encode("utf-8", "surrogatepass")):
        read = parse_manifests(data, "fuzz.yaml")
        assert isinstance(read, ManifestSet)
        for resource in read.resources:
            assert isinstance(resource.name, str) and resource.origin.line >= 1
