"""Architecture decision records in MADR 4.0 form that cite meshkb by stable URL.

Pure: the CLI lists the folder and writes the file. Numbering follows adr-tools
(`NNNN-slug.md`, the next number is the highest one present plus one); the body follows
the MADR 4.0.0 template: front matter (status, date, decision-makers, consulted,
informed), then Context and Problem Statement, Decision Drivers, Considered Options,
Decision Outcome (Consequences, Confirmation), Pros and Cons of the Options, More
Information. A filled meshkb report, when given, becomes the Confirmation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from meshkb.core.errors import MeshkbError
from meshkb.core.model import Checklist, Report
from meshkb.core.score import Score
from meshkb.report.check import CheckResult, check_report
from meshkb.site.links import Link, Resolver

ADR_FILE = re.compile(r"^([0-9]{4})-.+\.md$")
STATUSES = ("proposed", "accepted", "rejected", "deprecated")
_SUPERSEDED = re.compile(r"^superseded by ADR-[0-9]{4}$")
SECTIONS = (
    "Context and Problem Statement",
    "Decision Drivers",
    "Considered Options",
    "Decision Outcome",
    "Consequences",
    "Confirmation",
    "Pros and Cons of the Options",
    "More Information",
)
"""MADR 4.0 headings in order; Consequences and Confirmation sit under Decision Outcome."""

OPTIONS = (
    ("No mesh: the lighter alternatives", "alternatives.md", "mtls-without-a-mesh"),
    ("Linkerd", "compare.md", "linkerd"),
    ("Istio in sidecar mode", "compare.md", "istio-sidecar"),
    ("Istio in ambient mode", "compare.md", "istio-ambient"),
    ("Cilium service mesh", "compare.md", "cilium"),
)
"""The options meshkb compares, each with the section that describes it."""

OPTION_BY_SCOPE = {
    ("linkerd", ""): "Linkerd",
    ("istio", "sidecar"): "Istio in sidecar mode",
    ("istio", "ambient"): "Istio in ambient mode",
    ("cilium", ""): "Cilium service mesh",
}
"""A report's (mesh, data plane) -> the option it reviews; a data plane not listed for a
mesh counts as none (Linkerd and Cilium have one mode each here)."""


def chosen_option(report: Report) -> str | None:
    """The option a report reviews, from its mesh and data plane; None when not one."""
    mesh, dataplane = report.mesh, report.dataplane
    return OPTION_BY_SCOPE.get((mesh, dataplane)) or OPTION_BY_SCOPE.get((mesh, ""))


@dataclass(frozen=True, slots=True)
class AdrMeta:
    """The MADR front matter and title."""

    title: str
    """Short title of the solved problem and the solution."""
    status: str = "proposed"
    """`proposed`, `accepted`, `rejected`, `deprecated` or `superseded by ADR-NNNN`."""
    date: str = ""
    """ISO date the decision was last updated."""
    decision_makers: tuple[str, ...] = ()
    """Everyone involved in the decision."""
    consulted: tuple[str, ...] = ()
    """Subject-matter experts asked, in two-way communication."""
    informed: tuple[str, ...] = ()
    """People kept up to date, in one-way communication."""


@dataclass(frozen=True, slots=True)
class ReviewEvidence:
    """A filled meshkb report that confirms the decision."""

    checklist: Checklist
    """The current checklist the report was scored against."""
    report: Report
    """The parsed report."""
    link_path: str
    """The report file relative to the ADR's folder, for the Markdown link."""
    command_path: str
    """The report file as given on the command line, for the CI command."""


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise MeshkbError("adr new: the title is empty")
    made = slug(title)
    if not made:
        raise MeshkbError(f"adr new: the title {title!r} has no letters or digits for a file name")
    if len(made) > MAX_SLUG:
        raise MeshkbError(
            f"adr new: the title is too long for a file name ({len(made):,} characters once "
            f"made a slug; at most {MAX_SLUG}): nothing was written"
        )
    return title


MAX_SLUG = 200
"""Longest slug: `NNNN-` + slug + `.md` stays within a file name's 255 bytes."""


def check_status(status: str) -> str:
    if status in STATUSES or _SUPERSEDED.match(status):
        return status
    raise MeshkbError(
        f"adr new: status {status!r} is not one of {', '.join(STATUSES)} or 'superseded by ADR-NNNN'"
    )


def slug(title: str) -> str:
    """`Adopt Linkerd for mTLS` -> `adopt-linkerd-for-mtls`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def next_number(names: Iterable[str]) -> int:
    """One more than the highest `NNNN-` file name; 1 in an empty folder."""
    numbers = [int(m.group(1)) for name in names if (m := ADR_FILE.match(name))]
    return max(numbers, default=0) + 1


def file_name(number: int, title: str) -> str:
    if number > 9999:
        raise MeshkbError("adr new: ADR numbers stop at 9999")
    return f"{number:04d}-{slug(title)}.md"


def render_adr(meta: AdrMeta, resolver: Resolver, evidence: ReviewEvidence | None = None) -> str:
    """The ADR as Markdown; every meshkb link is resolved (and so checked) by `resolver`."""

    def page(path: str, anchor: str | None = None) -> Link:
        return resolver.page(path, anchor, check=resolver.site.docs_dir is not None)

    lines = [
        "---",
        f"status: {json.dumps(meta.status)}",
        f"date: {meta.date}",
        f"decision-makers: {_people(meta.decision_makers, 'list everyone involved in the decision')}",
        f"consulted: {_people(meta.consulted, 'list everyone whose opinions are sought')}",
        f"informed: {_people(meta.informed, 'list everyone who is kept up-to-date on progress')}",
        "---",
        "",
        f"# {meta.title}",
        "",
        "## Context and Problem Statement",
        "",
        "{Describe the context and the problem in two or three sentences: which services, which",
        "cluster, which duty or incident prompted the question. Link the issue or board.}",
        "",
        f"meshkb frames the question in {page('decide.md', 'three-conditions').markdown}: a mesh",
        "earns its cost only with many services or a duty to encrypt traffic, *and* a team to run it.",
        "",
        "## Decision Drivers",
        "",
        f"* {{a duty to encrypt traffic inside the cluster, see {page('decide.md', 'compliance').markdown}}}",
        f"* {{the number of services that call each other, see {page('decide.md', 'many-services').markdown}}}",
        f"* {{who runs and upgrades it, see {page('decide.md', 'platform-team').markdown}}}",
        f"* {{the features you need, see {page('decide.md', 'features-you-need').markdown}}}",
        f"* {{what it costs, see {page('cost.md', 'proxy-overhead').markdown} and {page('cost.md', 'money').markdown}}}",
        "",
        "## Considered Options",
        "",
        "<!-- Keep the options you considered; meshkb compares these. -->",
        *(f"* {name}" for name, _, _ in OPTIONS),
        "",
        "## Decision Outcome",
        "",
        *_chosen(evidence.report if evidence else None, page("compare.md", "grid").markdown),
        "",
        "### Consequences",
        "",
        "* Good, because {positive consequence}",
        f"* Bad, because {{negative consequence; see {page('traps.md').markdown} and {page('cost.md', 'upgrade-risk').markdown}}}",
        "",
        "### Confirmation",
        "",
        *(
            _confirmation(evidence, resolver)
            if evidence is not None
            else _confirmation_todo(resolver)
        ),
        "",
        "## Pros and Cons of the Options",
    ]
    for name, path, anchor in OPTIONS:
        lines.extend(
            [
                "",
                f"### {name}",
                "",
                f"{page(path, anchor).markdown}",
                "",
                "* Good, because {argument}",
                "* Bad, because {argument}",
            ]
        )
    lines.extend(["", "## More Information", "", *_more_information(resolver, evidence)])
    return "\n".join(lines) + "\n"


def _chosen(report: Report | None, grid: str) -> list[str]:
    """MADR's "Chosen option" line: the option the report reviews, when there is one."""
    option = chosen_option(report) if report is not None else None
    if report is None or option is None:
        return [
            'Chosen option: "{title of the option}", because {justification, e.g. the only option',
            "that meets a decision driver, or the best fit in",
            f"{grid}}}.",
        ]
    scope = f"mesh {report.mesh}" + (f", data plane {report.dataplane}" if report.dataplane else "")
    return [
        f'Chosen option: "{option}", because {{justification, e.g. the only option that meets a',
        f"decision driver, or the best fit in {grid}}}.",
        f"<!-- The option is the review report's scope ({scope}). -->",
    ]


def _people(names: tuple[str, ...], placeholder: str) -> str:
    return json.dumps(", ".join(names) if names else f"{{{placeholder}}}", ensure_ascii=False)


def _confirmation_todo(resolver: Resolver) -> list[str]:
    migration = _checklist_link(resolver, "migration")
    lines = [
        "{How compliance will be confirmed. With meshkb: fill the review before each namespace",
        "joins the mesh, commit the report next to the change, and gate on it in CI:",
        "`meshkb checklist migration -o reviews/NAMESPACE.md`, then",
        "`meshkb report check reviews/NAMESPACE.md --gate`.",
    ]
    if migration is not None:
        lines.append(f"The checklist: {migration.markdown} (`{migration.citation}`).}}")
    else:
        lines[-1] += "}"
    lines.append(
        "<!-- `meshkb adr new TITLE --report FILE` fills this section from a filled report. -->"
    )
    return lines


def _checklist_link(resolver: Resolver, checklist_id: str) -> Link | None:
    if checklist_id not in resolver.checklists:
        return None
    return resolver.checklist(checklist_id)


def _confirmation(evidence: ReviewEvidence, resolver: Resolver) -> list[str]:
    checklist, report = evidence.checklist, evidence.report
    checked = check_report(checklist, report, evidence.command_path)
    result = checked.score
    link = resolver.checklist(checklist.id)
    who = f" by {', '.join(report.reviewers)}" if report.reviewers else ""
    system = f" for `{_code(report.system)}`" if report.system.strip() else ""
    when = f" on {report.date}" if report.date else ""
    lines = [
        f"The meshkb {link.markdown} checklist, version {checklist.version} (`{link.citation}`),",
        f"was filled{system}{when}{who}:",
        f"[the review report]({evidence.link_path}). CI confirms it with",
        f"`meshkb report check {evidence.command_path} --gate`.",
    ]
    if report.checklist_version != checklist.version:
        lines.append(
            f"The report was made from version {report.checklist_version}; carry it forward with"
            f" `meshkb checklist {checklist.id} --from {evidence.command_path}`."
        )
    lines.extend(["", *_progress_table(result), "", *_findings(checked, resolver)])
    return lines


def _progress_table(result: Score) -> list[str]:
    lines = ["| Severity | Done | Open | Failed | N/A | Waived |", "|---|---|---|---|---|---|"]
    for p in result.progress:
        c = p.counts
        lines.append(
            f"| {p.severity} | {p.done} of {p.total} | {c['open']} | {c['fail']} | {c['na']} | {c['waived']} |"
        )
    return lines


def _findings(checked: CheckResult, resolver: Resolver) -> list[str]:
    def item(item_id: str) -> str:
        return resolver.item(item_id).markdown

    result, report = checked.score, checked.report
    lines = []
    if checked.gate:
        lines.append("* **Gate:** passed; no blocker is open or failed, and no item is missing.")
    else:
        lines.append(f"* **Gate:** not passed; {checked.gate_failures(item)}.")
    for outcome in result.outcomes:
        lines.append(
            f"* **{_line(outcome.title)}:** {_line(outcome.label)}; {_line(outcome.reason)}"
        )
    failed = [i for i, state in result.states.items() if state == "fail"]
    if failed:
        lines.append("* **Failed:** " + ", ".join(item(i) for i in failed) + ".")
    answers = report.answer_by_id()
    waived = [i for i, state in result.states.items() if state == "waived"]
    if waived:
        lines.append("* **Waived:**")
        for item_id in waived:
            answer = answers[item_id]
            lines.append(
                f"    * {item(item_id)}: owner {_line(answer.owner)}; {_line(answer.reason)}"
            )
    else:
        lines.append("* **Waived:** none.")
    if result.reverify:
        lines.append(
            "* **Re-verify** (the item changed since it was answered): "
            + ", ".join(item(i) for i in result.reverify)
            + "."
        )
    if result.unconfirmed:
        lines.append(
            "* **To confirm** (set by a probe): "
            + ", ".join(item(i) for i in result.unconfirmed)
            + "."
        )
    return lines


def _more_information(resolver: Resolver, evidence: ReviewEvidence | None) -> list[str]:
    def page(path: str, anchor: str | None = None) -> str:
        return resolver.page(path, anchor, check=resolver.site.docs_dir is not None).markdown

    lines = [
        "The meshkb pages this decision relies on; their URLs are stable and moved pages redirect:",
        "",
        f"* Do we need a mesh: {page('decide.md', 'decision-flow')}",
        f"* What it costs: {page('cost.md', 'proxy-overhead')}, {page('cost.md', 'money')}",
        f"* Which mesh: {page('compare.md', 'grid')}",
        f"* How we migrate: {page('migrate.md', 'one-namespace')}, {page('migrate.md', 'bypass-runbook')}, {page('migrate.md', 'exit-plan')}",
        f"* What goes wrong: {page('traps.md')}",
        f"* When to remove it: {page('remove.md', 'signals')}, {page('remove.md', 'threshold')}",
        "",
        "Revisit this decision when the removal signals hold; the exit plan says how to leave.",
    ]
    cited = [evidence.checklist.id] if evidence else []
    others = [c for c in sorted(resolver.checklists) if c not in cited]
    links = [resolver.checklist(c) for c in [*cited, *others]]
    if links:
        lines.extend(["", "meshkb checklists, cited with their version:", ""])
        lines.extend(f"* {link.markdown} (`{link.citation}`)" for link in links)
    return lines


def _line(text: str) -> str:
    return " ".join(text.split())


def _code(text: str) -> str:
    return _line(text).replace("`", "'")
