// The page's review state (meshkb-core.js): dates, scope, what is counted, what is kept.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { core, checklistCopy } = require("./fixture.js");

const migration = checklistCopy("migration");
const live = core.itemsOf(migration).filter(core.isLive);
const scoped = live.find((item) => item.mesh.length && item.dataplane.length);
const everywhere = live.find((item) => !item.mesh.length && !item.dataplane.length);

const answer = (item, change = {}) => ({ ...core.blankAnswer(item), ...change });

test("isIsoDate takes only dates that exist, written YYYY-MM-DD", () => {
  for (const good of ["2026-12-02", "2024-02-29", "0001-01-01"]) assert.ok(core.isIsoDate(good), good);
  for (const bad of ["2026-02-30", "2025-02-29", "2026-13-01", "2026-1-02", "02/12/2026", "2026-12-02T00:00", "", " 2026-12-02"]) {
    assert.ok(!core.isIsoDate(bad), JSON.stringify(bad));
  }
  assert.ok(core.isIsoDate(core.today()));
  assert.deepEqual(core.freshFields(), { system: "", mesh: "", dataplane: "", date: core.today(), reviewers: [] });
});

test("an answer is untouched only while it is open with no text, evidence or probe mark", () => {
  const item = live[0];
  assert.ok(core.isUntouched(answer(item)));
  for (const change of [{ state: "pass" }, { note: "x" }, { reason: "x" }, { owner: "x" }, { prefilled: true },
    { evidence: [{ source: "manual", text: "x" }] }]) {
    assert.ok(!core.isUntouched(answer(item, change)), JSON.stringify(change));
  }
});

test("conditionItems lists every item an outcome's condition reads, through all, any, not and count", () => {
  const condition = {
    all: [{ item: "A-1", state: "pass" }, { any: [{ not: { item: "B-2", state: "fail" } }, { count: ["C-3", "D-4"], state: "fail", at_least: 1 }] }],
  };
  assert.deepEqual([...core.conditionItems(condition)].sort(), ["A-1", "B-2", "C-3", "D-4"]);
});

test("applyScope sets items for another mesh n/a with a reason, and takes them back when the choice changes", () => {
  assert.ok(scoped && everywhere, "the migration checklist has a scoped and an unscoped item");
  const other = ["linkerd", "cilium", "istio"].find((mesh) => !scoped.mesh.includes(mesh));
  const fields = { ...core.freshFields(), mesh: other, dataplane: "" };
  const answers = new Map([[everywhere.id, answer(everywhere)]]);
  core.applyScope(migration, fields, answers);
  assert.ok(!core.applies(fields, scoped));
  const set = answers.get(scoped.id);
  assert.equal(set.state, "na");
  assert.equal(set.automatic, true);
  assert.equal(set.reason, `Applies only to ${scoped.applies}; this system runs ${other}.`);
  assert.ok(!answers.has(everywhere.id), "an untouched answer goes: the item applies again");
  // A person's answer stays whatever is chosen; an automatic one goes when the item applies.
  answers.set(everywhere.id, answer(everywhere, { state: "pass" }));
  core.applyScope(migration, { ...fields, mesh: scoped.mesh[0], dataplane: scoped.dataplane[0] }, answers);
  assert.ok(!answers.has(scoped.id));
  assert.equal(answers.get(everywhere.id).state, "pass");
  core.applyScope(migration, { ...fields, mesh: other, dataplane: "sidecar" }, answers);
  assert.match(answers.get(scoped.id).reason, new RegExp(`runs ${other} \\(sidecar\\)\\.$`));
});

test("countedReport counts an n/a without a reason and a waiver without an owner as open", () => {
  const [first, second, third] = live;
  const fields = core.freshFields();
  const answers = new Map([
    [first.id, answer(first, { state: "na" })],
    [second.id, answer(second, { state: "waived", reason: "accepted" })],
    [third.id, answer(third, { state: "na", reason: "no such workloads" })],
  ]);
  const counted = core.countedReport(migration, core.reviewReport(migration, fields, answers));
  const states = Object.fromEntries(counted.answers.map((a) => [a.id, a.state]));
  assert.equal(states[first.id], "open");
  assert.equal(states[second.id], "open");
  assert.equal(states[third.id], "na");
  assert.equal(counted.answers.length, live.length, "one answer per live item");
});

test("page state round-trips, drops a bad answer by ID, reads the old `auto` mark, and refuses another checklist's", () => {
  const [first, second] = live;
  const fields = { ...core.freshFields(), system: "payments", mesh: "linkerd", reviewers: ["alice"] };
  const answers = new Map([
    [first.id, answer(first, { state: "pass", note: "rehearsed" })],
    [second.id, answer(second, { state: "na", reason: "n/a", automatic: true })],
  ]);
  const state = JSON.parse(JSON.stringify(core.pageState(migration, fields, answers)));
  assert.equal(state.format, migration.contract.page_format);
  const read = core.readPageState(migration, state);
  assert.deepEqual(read.fields, fields);
  assert.deepEqual([...read.answers], [...answers]);
  assert.deepEqual(read.bad, []);

  state.answers[first.id].state = "maybe";
  delete state.answers[second.id].automatic;
  state.answers[second.id].auto = true;
  const again = core.readPageState(migration, state);
  assert.deepEqual(again.bad, [first.id]);
  assert.equal(again.answers.get(second.id).automatic, true);

  assert.throws(() => core.readPageState(migration, { ...state, checklist: "removal" }), /not this checklist's page state/);
  assert.throws(() => core.readPageState(migration, { ...state, fields: { ...fields, date: "yesterday" } }), /not valid/);
});
