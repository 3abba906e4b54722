/* meshkb-core.js: the pure part of the checklist pages; see README.md beside this file. */
(() => {
  "use strict";

  // The characters Python's str.split(), strip() and rstrip() treat as whitespace
  // (str.isspace); JavaScript's \s is a different set. A Node test checks this list
  // against Python's own.
  const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  const SPACE_RUN = new RegExp(PY_SPACE + "+");
  const LEADING_SPACE = new RegExp("^" + PY_SPACE + "+");
  const TRAILING_SPACE = new RegExp(PY_SPACE + "+$");

  /** Python's `text.rstrip()`. */
  const rstrip = (text) => text.replace(TRAILING_SPACE, "");

  /** Python's `text.strip()`. */
  const strip = (text) => rstrip(text.replace(LEADING_SPACE, ""));

  /** Python's `" ".join(text.split())`: */
  const oneLine = (text) => text.split(SPACE_RUN).filter(Boolean).join(" ");

  /** Text split into lines the way report.py does: */
  const toLines = (text) => text.replace(/\r\n?/g, "\n").split("\n");

  const isString = (value) => typeof value === "string";

  /** Compiled contracts, by the contract object of the page data. */
  const compiled = new WeakMap();

  /** A Python `re` pattern from the contract as a RegExp. */
  const pythonPattern = (source) => new RegExp(source, "s");

  /** The constants and compiled patterns the checklist data carries under `contract` (see meshkb/page_contract.py). */
  function contractOf(checklist) {
    const contract = checklist.contract;
    if (!contract) throw new Error(`the data of checklist '${checklist.id}' carries no contract`);
    let rules = compiled.get(contract);
    if (!rules) {
      const patterns = contract.patterns;
      rules = {
        ...contract,
        doneStates: new Set(contract.done_states),
        itemId: pythonPattern(patterns.item_id),
        checklistVersion: pythonPattern(patterns.checklist_version),
        date: pythonPattern(patterns.date),
        itemLine: pythonPattern(patterns.item_line),
        fieldLine: pythonPattern(patterns.field_line),
        rev: new RegExp(patterns.rev, "gs"),
        meta: pythonPattern(patterns.meta),
        taskLine: pythonPattern(patterns.task_line),
        topLevelLine: pythonPattern(patterns.top_level_line),
        listLine: pythonPattern(patterns.list_line),
        forbidden: new RegExp(patterns.forbidden_text, "u"),
        yamlUnsafe: new RegExp(patterns.yaml_unsafe, "g"),
        yamlUnsafeOne: new RegExp(patterns.yaml_unsafe),
        yamlWords: new RegExp(patterns.yaml_words),
        plain: new RegExp(patterns.yaml_plain, "u"),
        singleQuoted: pythonPattern(patterns.yaml_single_quoted),
      };
      compiled.set(contract, rules);
    }
    return rules;
  }

  /** Every item, retired ones included, in display order. */
  const itemsOf = (checklist) => checklist.sections.flatMap((section) => section.items);

  /** Whether an item is still checked (not a retired tombstone). */
  const isLive = (item) => item.status !== "retired";

  const byId = (list) => new Map(list.map((entry) => [entry.id, entry]));

  /** A fresh, open answer to `item` at its current rev. */
  const blankAnswer = (item) => ({
    id: item.id, rev: item.rev, state: "open", note: "", reason: "", owner: "", evidence: [], prefilled: false,
    automatic: false,
  });

  /** What an answer lacks for its state (report.check_answer), or "" when nothing. */
  function missingField(answer) {
    if (answer.state === "na" && !strip(answer.reason)) return "is n/a but has no Reason";
    if (answer.state === "waived") {
      const missing = ["Owner", "Reason"].filter((name) => !strip(answer[name.toLowerCase()]));
      if (missing.length) return "is waived but has no " + missing.join(" and no ");
    }
    return "";
  }

  /** Answers in checklist order, one per live item (missing ones open), then those kept for retired items (report.normalize). */
  function normalize(checklist, report) {
    const given = byId(report.answers);
    const items = itemsOf(checklist);
    const live = items.filter(isLive).map((item) => given.get(item.id) || blankAnswer(item));
    const retired = items.filter((item) => !isLive(item) && given.has(item.id)).map((item) => given.get(item.id));
    return { ...report, answers: live.concat(retired) };
  }

  /** The state each live item counts as: */
  function effectiveStates(checklist, answers) {
    const given = byId(answers);
    const states = new Map();
    for (const item of itemsOf(checklist).filter(isLive)) {
      const answer = given.get(item.id);
      states.set(item.id, !answer || answer.rev !== item.rev || answer.prefilled ? "open" : answer.state);
    }
    return states;
  }

  /** Whether a declarative outcome condition holds (score.condition_holds); */
  function conditionHolds(condition, states) {
    if ("all" in condition) return condition.all.every((sub) => conditionHolds(sub, states));
    if ("any" in condition) return condition.any.some((sub) => conditionHolds(sub, states));
    if ("not" in condition) return !conditionHolds(condition.not, states);
    const wanted = [].concat(condition.state);
    const isWanted = (id) => wanted.includes(states.get(id) || "open");
    if ("item" in condition) return isWanted(condition.item);
    const count = condition.count.filter(isWanted).length;
    if ("at_least" in condition && count < condition.at_least) return false;
    return !("at_most" in condition && count > condition.at_most);
  }

  /** Each outcome's first rule that holds, or its `otherwise` (score.evaluate_outcomes). */
  function evaluateOutcomes(checklist, states) {
    return checklist.outcomes.map((outcome) => {
      const chosen = outcome.rules.find((rule) => conditionHolds(rule.when, states)) || outcome.otherwise;
      return { id: outcome.id, title: outcome.title, result: chosen.result, label: chosen.label, reason: chosen.reason };
    });
  }

  /** Progress per severity, the gate, the outcomes and the answers to re-verify or confirm (score.score). */
  function score(checklist, report) {
    const { severities, states: allStates } = contractOf(checklist);
    const live = itemsOf(checklist).filter(isLive);
    const liveById = byId(live);
    const states = effectiveStates(checklist, report.answers);
    const progress = [];
    for (const severity of severities) {
      const ofSeverity = live.filter((item) => item.severity === severity);
      if (!ofSeverity.length) continue;
      const counts = Object.fromEntries(allStates.map((state) => [state, 0]));
      for (const item of ofSeverity) counts[states.get(item.id)]++;
      progress.push({ severity, done: counts.pass + counts.waived, total: ofSeverity.length - counts.na, counts });
    }
    const blocking = live
      .filter((item) => item.severity === "blocker" && ["open", "fail"].includes(states.get(item.id)))
      .map((item) => item.id);
    const answersToLive = (test) =>
      report.answers.filter((a) => liveById.has(a.id) && test(a, liveById.get(a.id))).map((a) => a.id);
    return {
      progress,
      gate: !blocking.length,
      blocking,
      outcomes: evaluateOutcomes(checklist, states),
      reverify: answersToLive((a, item) => a.rev !== item.rev),
      unconfirmed: answersToLive((a, item) => a.prefilled && a.rev === item.rev),
    };
  }

  /** The gate as a sentence, as the report and the page show it. */
  const gateText = (result) =>
    result.gate
      ? "passed — no blocker is open or failed."
      : `not passed — open or failed blockers: ${result.blocking.join(", ")}.`;

  // Whatever is read back is untrusted: every field is checked as the schema would.

  const fail = (message) => {
    throw new Error(message);
  };

  /** Why `text` cannot go into a report (NUL, a lone surrogate), or "" when it can (report.forbidden_text). */
  function forbiddenText(rules, text) {
    const found = rules.forbidden.exec(text);
    if (!found) return "";
    const code = found[0].charCodeAt(0);
    return `has ${code === 0 ? "a NUL character" : "a lone surrogate"} (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
  }

  /** Whether a value is text a report can hold. */
  const isText = (rules, value) => isString(value) && !forbiddenText(rules, value);

  /** Keys of `object` that `allowed` lacks (the schema's additionalProperties: */
  const extraKeys = (object, allowed) => Object.keys(object).filter((key) => !allowed.includes(key));


  /** A copy of `raw` with the answer fields, when it is a valid answer; */
  function cleanAnswer(checklist, raw, exact = false) {
    const rules = contractOf(checklist);
    const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
    const validEvidence = (e) => isObject(e) && rules.evidence_sources.includes(e.source) && isText(rules, e.text)
      && strip(e.text) !== "" && !(exact && extraKeys(e, rules.evidence_keys).length);
    const valid = isObject(raw) && isString(raw.id) && rules.itemId.test(raw.id)
      && Number.isInteger(raw.rev) && raw.rev > 0 && raw.rev <= rules.max_rev && rules.states.includes(raw.state)
      && [raw.note, raw.reason, raw.owner].every((text) => isText(rules, text)) && typeof raw.prefilled === "boolean"
      && (raw.automatic === undefined || typeof raw.automatic === "boolean")
      && Array.isArray(raw.evidence) && raw.evidence.every(validEvidence)
      && !(exact && extraKeys(raw, rules.answer_keys).length);
    if (!valid) return null;
    const { id, rev, state, note, reason, owner, prefilled } = raw;
    return {
      id, rev, state, note, reason, owner, evidence: raw.evidence.map(({ source, text }) => ({ source, text })), prefilled,
      automatic: raw.automatic === true && state === "na",
    };
  }

  /** A checked report for `checklist` from plain data (JSON, front matter, saved state); */
  function cleanReport(checklist, data, where, exact = false) {
    const rules = contractOf(checklist);
    const oneOf = (values, value) => value === "" || values.includes(value);
    if (exact) {
      const extra = extraKeys(data, rules.report_keys);
      const absent = rules.report_keys.filter((key) => !Object.hasOwn(data, key));
      if (extra.length) fail(`${where}unknown field '${extra[0]}'`);
      if (absent.length) fail(`${where}'${absent[0]}' is missing`);
    }
    if (data.format !== rules.report_format && data.format !== undefined) fail(`${where}not a ${rules.report_format} report`);
    if (data.checklist !== checklist.id) fail(`${where}the report is for checklist '${data.checklist}', not '${checklist.id}'`);
    if (!isString(data.checklist_version) || !rules.checklistVersion.test(data.checklist_version)) {
      fail(where + "checklist_version is not x.y.z");
    }
    const valid = isText(rules, data.system) && oneOf(rules.meshes, data.mesh) && oneOf(rules.dataplanes, data.dataplane)
      && isString(data.date) && rules.date.test(data.date)
      && Array.isArray(data.reviewers) && data.reviewers.every((name) => isText(rules, name) && name !== "");
    if (!valid || !Array.isArray(data.answers)) fail(where + "system, mesh, dataplane, date, reviewers or answers are not valid");
    const known = byId(itemsOf(checklist));
    const seen = new Set();
    const answers = data.answers.map((raw, index) => {
      const answer = cleanAnswer(checklist, raw, exact) || fail(`${where}answer ${index + 1} is not valid`);
      const problem = !known.has(answer.id) ? "is not in this checklist"
        : seen.has(answer.id) ? "appears twice"
          : missingField(answer);
      if (problem) fail(`${where}${answer.id} ${problem}`);
      seen.add(answer.id);
      return answer;
    });
    const { checklist_version, system, mesh, dataplane, date, reviewers } = data;
    return { checklist: checklist.id, checklist_version, system, mesh, dataplane, date, reviewers, answers };
  }

  // The page's review: `fields` (system, mesh, data plane, date, reviewers) and `answers`
  // (item ID -> answer; an `automatic` answer was set n/a by the mesh or data plane chosen).

  /** Today in the local time zone, as an ISO date. */
  const today = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);

  /** Whether a text is an ISO date (YYYY-MM-DD) that exists. */
  function isIsoDate(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
    const date = new Date(text + "T00:00:00Z");
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
  }

  /** Review fields with nothing chosen yet. */
  const freshFields = () => ({ system: "", mesh: "", dataplane: "", date: today(), reviewers: [] });

  /** The review fields of a report. */
  const fieldsOf = ({ system, mesh, dataplane, date, reviewers }) => ({ system, mesh, dataplane, date, reviewers });

  /** An answer nobody has touched: open, with no text, evidence or probe mark. */
  const isUntouched = (answer) =>
    answer.state === "open"
    && !(answer.note || answer.reason || answer.owner || answer.evidence.length || answer.prefilled);

  /** The item IDs an outcome's conditions read. */
  function conditionItems(condition, into = new Set()) {
    if ("all" in condition) condition.all.forEach((sub) => conditionItems(sub, into));
    else if ("any" in condition) condition.any.forEach((sub) => conditionItems(sub, into));
    else if ("not" in condition) conditionItems(condition.not, into);
    else if ("item" in condition) into.add(condition.item);
    else condition.count.forEach((id) => into.add(id));
    return into;
  }

  /** Whether an item applies to the mesh and data plane chosen (nothing chosen: yes). */
  const applies = (fields, item) =>
    [["mesh", fields.mesh], ["dataplane", fields.dataplane]].every(
      ([key, chosen]) => !chosen || !item[key].length || item[key].includes(chosen),
    );

  /** Like report.new_report: items for another mesh or data plane start as n/a (changes `answers`). */
  function applyScope(checklist, fields, answers) {
    const chosen = fields.mesh && fields.dataplane ? `${fields.mesh} (${fields.dataplane})` : fields.mesh || fields.dataplane;
    for (const item of itemsOf(checklist).filter(isLive)) {
      const answer = answers.get(item.id);
      if (answer && (answer.automatic || isUntouched(answer))) answers.delete(item.id);
      if (!answers.has(item.id) && !applies(fields, item)) {
        answers.set(item.id, {
          ...blankAnswer(item), state: "na", automatic: true,
          reason: `Applies only to ${item.applies}; this system runs ${chosen}.`,
        });
      }
    }
  }

  /** The review as a report (what export writes). */
  const reviewReport = (checklist, fields, answers) => ({
    checklist: checklist.id, checklist_version: checklist.version, ...fields, answers: [...answers.values()],
  });

  /**
   * The report as the page counts it: an n/a without a reason or a waiver without an
   * owner and a reason is still open until it is filled in.
   */
  function countedReport(checklist, report) {
    const counted = normalize(checklist, report);
    counted.answers = counted.answers.map((answer) => (missingField(answer) ? { ...answer, state: "open" } : answer));
    return counted;
  }

  /** The review as the page keeps it in storage and share links. */
  const pageState = (checklist, fields, answers) => ({
    format: contractOf(checklist).page_format, checklist: checklist.id, fields, answers: Object.fromEntries(answers),
  });

  /**
   * Saved or shared page state read back: `{fields, answers, bad}`. Bad fields make it fail
   * as a whole; a bad answer is dropped and its ID listed in `bad`.
   */
  function readPageState(checklist, data) {
    const rules = contractOf(checklist);
    if (!data || data.format !== rules.page_format || data.checklist !== checklist.id || typeof data.answers !== "object") {
      fail("not this checklist's page state");
    }
    const report = cleanReport(checklist, {
      ...freshFields(), ...data.fields, format: rules.report_format, checklist: checklist.id,
      checklist_version: "0.0.0", answers: [],
    }, "");
    const answers = new Map();
    const bad = [];
    for (const [id, raw] of Object.entries(data.answers || {})) {
      const answer = cleanAnswer(checklist, { ...raw, id });
      // `auto` is how pages before the report's `automatic` field kept it.
      if (answer) answers.set(id, { ...answer, automatic: answer.automatic || (raw.auto === true && answer.state === "na") });
      else bad.push(id);
    }
    return { fields: fieldsOf(report), answers, bad };
  }

  const api = {
    contractOf, rstrip, strip, oneLine, toLines, isString, itemsOf, isLive, byId, blankAnswer, missingField,
    normalize, effectiveStates, conditionHolds, evaluateOutcomes, score, gateText,
    fail, forbiddenText, cleanAnswer, cleanReport,
    today, isIsoDate, freshFields, fieldsOf, isUntouched, conditionItems, applies, applyScope,
    reviewReport, countedReport, pageState, readPageState,
  };
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else Object.assign((globalThis.meshkb = globalThis.meshkb || {}), api);
})();
