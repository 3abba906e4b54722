"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { fixture, core } = require("./fixture.js");

test("the shared scoring vectors (tests/vectors/scoring.yaml)", async (t) => {
  assert.ok(fixture.vectors.length > 0);
  for (const vector of fixture.vectors) {
    await t.test(vector.name, () => {
      const result = core.score(fixture.checklists[vector.checklist], { answers: vector.answers });
      const { expect } = vector;
      assert.deepEqual(
        Object.fromEntries(result.progress.map((p) => [p.severity, [p.done, p.total]])),
        expect.progress,
      );
      assert.equal(result.gate, expect.gate);
      assert.deepEqual(Object.fromEntries(result.outcomes.map((o) => [o.id, o.result])), expect.outcomes);
      assert.deepEqual(result.reverify, expect.reverify || []);
      assert.deepEqual(result.unconfirmed, expect.unconfirmed || []);
    });
  }
});

test("progress counts every state per severity; n/a leaves the total", () => {
  const checklist = fixture.checklists.sample;
  const live = core.itemsOf(checklist).filter(core.isLive);
  const states = ["pass", "fail", "na", "waived", "open"];
  const answers = live.map((item, index) => ({ ...core.blankAnswer(item), state: states[index % states.length] }));
  const result = core.score(checklist, { answers });
  for (const progress of result.progress) {
    const mine = live.filter((item) => item.severity === progress.severity);
    const counts = Object.fromEntries(states.map((s) => [s, 0]));
    for (const item of mine) counts[answers.find((a) => a.id === item.id).state]++;
    assert.deepEqual(progress.counts, counts);
    assert.equal(progress.done, counts.pass + counts.waived);
    assert.equal(progress.total, mine.length - counts.na);
  }
  assert.deepEqual(result.progress.map((p) => p.severity),
    checklist.contract.severities.filter((s) => live.some((i) => i.severity === s)));
});

test("an old rev or a probe's unconfirmed answer counts as open", () => {
  const checklist = fixture.checklists.sample;
  const [first, second] = core.itemsOf(checklist).filter(core.isLive);
  const answers = [
    { ...core.blankAnswer(first), rev: first.rev + 1, state: "pass" },
    { ...core.blankAnswer(second), state: "pass", prefilled: true },
  ];
  const states = core.effectiveStates(checklist, answers);
  assert.equal(states.get(first.id), "open");
  assert.equal(states.get(second.id), "open");
  const result = core.score(checklist, { answers });
  assert.deepEqual(result.reverify, [first.id]);
  assert.deepEqual(result.unconfirmed, [second.id]);
});

test("the gate fails on open or failed blockers and says which", () => {
  const checklist = fixture.checklists.removal;
  const blockers = core.itemsOf(checklist).filter((item) => item.severity === "blocker");
  const passAll = blockers.map((item) => ({ ...core.blankAnswer(item), state: "pass" }));
  assert.equal(core.gateText(core.score(checklist, { answers: passAll })), "passed — no blocker is open or failed.");
  passAll[1].state = "fail";
  passAll.pop();
  const result = core.score(checklist, { answers: passAll });
  assert.equal(result.gate, false);
  assert.deepEqual(result.blocking, [blockers[1].id, blockers.at(-1).id]);
  assert.equal(core.gateText(result), `not passed — open or failed blockers: ${result.blocking.join(", ")}.`);
});

test("outcome conditions: all, any, not, item, count with at_least and at_most", () => {
  const states = new Map([["A", "pass"], ["B", "fail"], ["C", "na"]]);
  const holds = (condition) => core.conditionHolds(condition, states);
  assert.equal(holds({ item: "A", state: "pass" }), true);
  assert.equal(holds({ item: "A", state: ["fail", "na"] }), false);
  assert.equal(holds({ item: "Z", state: "open" }), true, "an item with no state counts as open");
  assert.equal(holds({ count: ["A", "B", "C"], state: ["pass", "fail"], at_least: 2 }), true);
  assert.equal(holds({ count: ["A", "B", "C"], state: ["pass", "fail"], at_least: 3 }), false);
  assert.equal(holds({ count: ["A", "B", "C"], state: "pass", at_most: 1 }), true);
  assert.equal(holds({ count: ["A", "B", "C"], state: "pass", at_most: 0 }), false);
  assert.equal(holds({ count: ["A", "B"], state: "pass", at_least: 1, at_most: 1 }), true);
  assert.equal(holds({ all: [{ item: "A", state: "pass" }, { item: "B", state: "fail" }] }), true);
  assert.equal(holds({ all: [{ item: "A", state: "pass" }, { item: "B", state: "pass" }] }), false);
  assert.equal(holds({ any: [{ item: "A", state: "fail" }, { item: "B", state: "fail" }] }), true);
  assert.equal(holds({ not: { item: "C", state: "na" } }), false);
  assert.equal(holds({ all: [] }), true);
  assert.equal(holds({ any: [] }), false);
});

test("outcomes take the first rule that holds, else otherwise", () => {
  const checklist = {
    outcomes: [{
      id: "o", title: "T",
      rules: [
        { when: { item: "A", state: "fail" }, result: "first", label: "First", reason: "r1" },
        { when: { item: "A", state: ["fail", "pass"] }, result: "second", label: "Second", reason: "r2" },
      ],
      otherwise: { result: "none", label: "None", reason: "r0" },
    }],
  };
  const result = (state) => core.evaluateOutcomes(checklist, new Map([["A", state]]))[0].result;
  assert.equal(result("fail"), "first");
  assert.equal(result("pass"), "second");
  assert.equal(result("open"), "none");
  assert.deepEqual(core.evaluateOutcomes(checklist, new Map())[0],
    { id: "o", title: "T", result: "none", label: "None", reason: "r0" });
});
