"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { fixture, core, checklistCopy, assets } = require("./fixture.js");

const sample = fixture.checklists.sample;

test("the core loads under Node as a module and leaves no global behind", () => {
  assert.equal(typeof core.toMarkdown, "function");
  assert.equal(globalThis.meshkb, undefined);
});

test("the core and the report module also load as classic scripts, adding to the one global meshkb", () => {
  const vm = require("node:vm");
  const fs = require("node:fs");
  const path = require("node:path");
  const sandbox = { meshkb: { cost: "kept" } };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(fs.readFileSync(path.join(assets, "meshkb-core.js"), "utf-8"), sandbox);
  assert.equal(typeof sandbox.meshkb.score, "function");
  assert.equal(sandbox.meshkb.parseReport, undefined, "the page loads the report module only when asked");
  vm.runInNewContext(fs.readFileSync(path.join(assets, "meshkb-report.js"), "utf-8"), sandbox);
  assert.equal(sandbox.meshkb.cost, "kept");
  assert.equal(typeof sandbox.meshkb.parseReport, "function");
  assert.equal(typeof sandbox.meshkb.toMarkdown, "function");
  assert.deepEqual(Object.keys(sandbox).sort(), ["globalThis", "meshkb"]);
});

test("strip and oneLine use Python's whitespace, not JavaScript's", () => {
  for (const space of fixture.python_whitespace) {
    const code = space.codePointAt(0).toString(16);
    assert.equal(core.oneLine(`a${space}${space}b`), "a b", `U+${code} splits words`);
    assert.equal(core.strip(`${space}a${space}`), "a", `U+${code} is stripped`);
  }
  // JavaScript's \s has these, Python's str.isspace does not.
  for (const other of ["\ufeff", "\u180e", "\u200b"]) {
    assert.equal(core.oneLine(`a${other}b`), `a${other}b`);
    assert.equal(core.strip(other), other);
  }
});

test("normalize gives one answer per live item in order, open when missing, retired last", () => {
  const items = core.itemsOf(sample);
  const live = items.filter(core.isLive);
  const retired = items.filter((item) => !core.isLive(item));
  assert.ok(retired.length > 0, "the sample checklist has a retired item");
  const kept = { ...core.blankAnswer(retired[0]), state: "fail" };
  const second = { ...core.blankAnswer(live[1]), state: "pass", note: "n" };
  const unknown = { ...core.blankAnswer({ id: "ZZZ-0001", rev: 1 }), state: "pass" };
  const report = { checklist: "sample", system: "s", answers: [kept, unknown, second] };
  const normalized = core.normalize(sample, report);
  assert.deepEqual(normalized.answers.map((a) => a.id), [...live.map((i) => i.id), retired[0].id]);
  assert.equal(normalized.answers[1], second);
  assert.deepEqual(normalized.answers[0], core.blankAnswer(live[0]));
  assert.equal(normalized.system, "s");
  assert.equal(report.answers.length, 3, "the report given is not changed");
});

test("missingField says what n/a and waived answers lack, as report.check_answer does", () => {
  const answer = (state, reason = "", owner = "") => ({ state, reason, owner });
  assert.equal(core.missingField(answer("na")), "is n/a but has no Reason");
  assert.equal(core.missingField(answer("na", " \u3000 ")), "is n/a but has no Reason");
  assert.equal(core.missingField(answer("na", "why")), "");
  assert.equal(core.missingField(answer("waived", "why")), "is waived but has no Owner");
  assert.equal(core.missingField(answer("waived", "", "me")), "is waived but has no Reason");
  assert.equal(core.missingField(answer("waived")), "is waived but has no Owner and no Reason");
  assert.equal(core.missingField(answer("waived", "why", "me")), "");
  assert.equal(core.missingField(answer("fail")), "");
});

test("every constant comes from the contract in the page data", () => {
  const checklist = checklistCopy("sample");
  const contract = checklist.contract;
  contract.probe_mark = "(probe: check me)";
  contract.fields = { ...contract.fields, note: "Notes", state: "Status", "evidence (probe)": "Seen by probe" };
  contract.fill_in_help = "<!-- help -->";
  contract.report_format = "meshkb/report/v9";
  contract.done_states = ["pass"];
  const item = core.itemsOf(checklist).find(core.isLive);
  const answer = {
    ...core.blankAnswer(item), state: "na", reason: "r", prefilled: true,
    evidence: [{ source: "probe", text: "x" }],
  };
  const markdown = core.toMarkdown(checklist, { checklist: "sample", checklist_version: "1.0.0", system: "",
    mesh: "", dataplane: "", date: "", reviewers: [], answers: [answer] });
  assert.match(markdown, /^format: meshkb\/report\/v9$/m);
  assert.match(markdown, /^<!-- help -->$/m);
  assert.match(markdown, new RegExp(`^- \\[ \\] \\*\\*${item.id}\\*\\*`, "m"), "n/a is no longer a done state");
  assert.match(markdown, /^ {2}- Status: na \(probe: check me\)$/m);
  assert.match(markdown, /^ {2}- Seen by probe: x$/m);
  assert.match(markdown, /^ {2}- Notes:$/m);
  assert.doesNotMatch(markdown, /\(probe: confirm\)|- Note:|- State:/);
  assert.throws(() => core.score({ ...checklist, contract: undefined }, { answers: [] }), /carries no contract/);
});
