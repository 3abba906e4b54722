"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { fixture, core } = require("./fixture.js");

/** The first line where two texts differ, for a readable failure. */
function firstDifference(expected, actual) {
  const want = expected.split("\n");
  const got = actual.split("\n");
  const index = want.findIndex((line, i) => line !== got[i]);
  return index < 0 ? "(lengths differ)" : `line ${index + 1}:\n  python: ${JSON.stringify(want[index])}\n  page:   ${JSON.stringify(got[index])}`;
}

test("Markdown export is byte for byte report.render_markdown", async (t) => {
  assert.ok(fixture.exports.length >= 12);
  for (const sample of fixture.exports) {
    await t.test(sample.name, () => {
      const markdown = core.toMarkdown(fixture.checklists[sample.checklist], sample.report);
      assert.ok(markdown === sample.markdown, firstDifference(sample.markdown, markdown));
    });
  }
});

test("JSON export is byte for byte report.render_json", async (t) => {
  for (const sample of fixture.exports) {
    await t.test(sample.name, () => {
      assert.equal(core.toJSON(fixture.checklists[sample.checklist], sample.report), sample.json);
    });
  }
});

test("the answered reports carry the hostile note text", () => {
  const markdown = fixture.exports.filter((sample) => sample.name.includes(", answered")).map((s) => s.markdown).join("");
  for (const marker of ["\n    ---\n", "<!-- an HTML comment -->", "Note: - [x] **ABC-0001**", "tabs\tinside", "\n\n    after a run"]) {
    assert.ok(markdown.includes(marker), JSON.stringify(marker));
  }
});

test("parse then export gives what Python gives (export -> parse -> export)", async (t) => {
  for (const sample of fixture.exports) {
    await t.test(sample.name, () => {
      const checklist = fixture.checklists[sample.checklist];
      let again = null;
      let problem = "";
      try {
        again = core.toMarkdown(checklist, core.parseReport(checklist, sample.markdown, "r.md"));
      } catch (error) {
        problem = error.message;
      }
      assert.equal(again, sample.reparsed, problem);
      // Free text loses only what the Markdown form does not keep (spaces at line ends,
      // blank lines around a note), so a second round changes nothing.
      if (again !== null) assert.equal(core.toMarkdown(checklist, core.parseReport(checklist, again, "r.md")), again);
    });
  }
});

test("JSON import reads back what JSON export wrote", async (t) => {
  for (const sample of fixture.exports) {
    await t.test(sample.name, () => {
      const checklist = fixture.checklists[sample.checklist];
      const report = core.parseReport(checklist, sample.json, "review.json");
      assert.equal(core.toJSON(checklist, report), sample.json);
    });
  }
});

test("hand-edited Markdown is read like Python reads it, problems on Python's line", async (t) => {
  for (const sample of fixture.edited) {
    await t.test(sample.name, () => {
      const checklist = fixture.checklists[sample.checklist];
      if (sample.markdown !== undefined) {
        const report = core.parseReport(checklist, sample.text, sample.file);
        assert.equal(core.toMarkdown(checklist, report), sample.markdown);
      } else {
        assert.throws(
          () => core.parseReport(checklist, sample.text, sample.file),
          (error) => error.message.startsWith(`${sample.file}:${sample.error_line}:1: `) || error.message,
        );
      }
    });
  }
});

test("a report for another checklist or with bad fields is refused, naming the file", () => {
  const checklist = fixture.checklists.migration;
  const sample = fixture.exports.find((entry) => entry.checklist === "migration");
  const data = JSON.parse(sample.json);
  const refuse = (changed, pattern) =>
    assert.throws(() => core.parseReport(checklist, JSON.stringify({ ...data, ...changed }), "x.json"), { message: pattern });
  refuse({ checklist: "removal" }, /^x\.json: the report is for checklist 'removal', not 'migration'$/);
  refuse({ format: "meshkb/report/v0" }, /not a meshkb\/report\/v1 report/);
  refuse({ checklist_version: "1.0" }, /checklist_version is not x\.y\.z/);
  refuse({ mesh: "consul" }, /are not valid/);
  refuse({ date: ["2026-11-30"] }, /are not valid/);
  refuse({ reviewers: [""] }, /are not valid/);
  refuse({ answers: [{ ...data.answers[0], id: "mig-1" }] }, /answer 1 is not valid/);
  refuse({ answers: [data.answers[0], data.answers[0]] }, /appears twice/);
  refuse({ answers: [{ ...data.answers[0], id: "MIG-9999" }] }, /MIG-9999 is not in this checklist/);
  refuse({ answers: [{ ...data.answers[0], state: "na", reason: " " }] }, /is n\/a but has no Reason/);
  assert.throws(() => core.parseReport(checklist, "{not json", "x.json"), { message: /^x\.json: not valid JSON/ });
  assert.throws(() => core.parseReport(checklist, "null", "x.json"), { message: /^x\.json: not a report$/ });
});

test("cleanAnswer keeps only the answer fields of a valid answer", () => {
  const checklist = fixture.checklists.migration;
  const good = { id: "MIG-0001", rev: 1, state: "pass", note: "", reason: "", owner: "", evidence: [], prefilled: false, automatic: false };
  assert.deepEqual(core.cleanAnswer(checklist, { ...good, extra: 1 }), good);
  // `automatic` is optional (reports from before it), and only an n/a can be automatic.
  const { automatic, ...older } = good;
  assert.deepEqual(core.cleanAnswer(checklist, older), good);
  assert.deepEqual(core.cleanAnswer(checklist, { ...good, automatic: true }), good);
  const scoped = { ...good, state: "na", reason: "r", automatic: true };
  assert.deepEqual(core.cleanAnswer(checklist, scoped), scoped);
  for (const bad of [{ rev: 0 }, { rev: 1.5 }, { state: "done" }, { note: 1 }, { prefilled: "no" }, { automatic: "yes" },
    { evidence: [{ source: "robot", text: "x" }] }, { evidence: [{ source: "probe", text: "" }] }, { id: 7 }]) {
    assert.equal(core.cleanAnswer(checklist, { ...good, ...bad }), null, JSON.stringify(bad));
  }
  assert.equal(core.cleanAnswer(checklist, null), null);
});

test("a JSON report is held to the whole schema: every field, no other, no key twice, no NUL", () => {
  const checklist = fixture.checklists.migration;
  const sample = fixture.exports.find((entry) => entry.checklist === "migration");
  const data = JSON.parse(sample.json);
  const refuse = (text, pattern) => assert.throws(() => core.parseReport(checklist, text, "x.json"), { message: pattern });
  refuse(JSON.stringify({ ...data, system: ["payments"] }), /are not valid/);
  refuse(JSON.stringify({ ...data, colour: "red" }), /unknown field 'colour'/);
  const { reviewers, ...withoutReviewers } = data;
  assert.ok(reviewers);
  refuse(JSON.stringify(withoutReviewers), /'reviewers' is missing/);
  refuse(JSON.stringify({ ...data, answers: [{ ...data.answers[0], extra: 1 }] }), /answer 1 is not valid/);
  refuse(JSON.stringify({ ...data, answers: [{ ...data.answers[0], note: "a\u0000b" }] }), /answer 1 is not valid/);
  refuse(JSON.stringify({ ...data, answers: [{ ...data.answers[0], note: "\ud800" }] }), /answer 1 is not valid/);
  refuse(JSON.stringify({ ...data, answers: [{ ...data.answers[0], rev: 1000000 }] }), /answer 1 is not valid/);
  refuse(sample.json.replace('"mesh":', '"mesh": "istio",\n  "mesh":'), /^x\.json:7:3: key 'mesh' is given twice/);
});

test("a share link or saved state with the wrong types is refused as a whole", () => {
  const checklist = fixture.checklists.migration;
  for (const fields of [{ system: ["a"] }, { reviewers: "alice" }, { date: "yesterday" }, { system: "a\u0000" }]) {
    assert.throws(() => core.cleanReport(checklist, {
      system: "", mesh: "", dataplane: "", date: "", reviewers: [], ...fields,
      checklist: checklist.id, checklist_version: "0.0.0", answers: [],
    }, ""), /are not valid/, JSON.stringify(fields));
  }
});

test("front matter the page reads is read as YAML reads it, or refused", () => {
  const checklist = fixture.checklists.migration;
  const sample = fixture.exports.find((entry) => entry.checklist === "migration" && entry.name.endsWith("blank"));
  const withSystem = (value) => sample.markdown.replace('system: ""', "system: " + value);
  const read = (value) => core.parseReport(checklist, withSystem(value), "r.md").system;
  assert.equal(read("payments prod"), "payments prod");
  assert.equal(read("'it''s'"), "it's");
  assert.equal(read('"a\\u00e9"'), "a\u00e9");
  for (const value of ["[a, b]", "yes", "0x1F", "12", "a # comment", "'unclosed", '"a\\u0000b"']) {
    assert.throws(() => read(value), undefined, value);
  }
  const twice = sample.markdown.replace('mesh: ""', 'mesh: ""\nmesh: istio');
  assert.throws(() => core.parseReport(checklist, twice, "r.md"), /'mesh' is given twice/);
});
