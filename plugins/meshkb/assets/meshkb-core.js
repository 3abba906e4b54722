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

  /** Free text as lines: */
  function cleanBlock(text) {
    const lines = toLines(text).map(rstrip);
    while (lines.length && !lines[0]) lines.shift();
    while (lines.length && !lines[lines.length - 1]) lines.pop();
    if (lines.length) lines[0] = strip(lines[0]);
    return lines;
  }

  /** `  - Name: */
  function fieldLines(name, text) {
    const [first, ...rest] = cleanBlock(text);
    if (first === undefined) return [`  - ${name}:`];
    return [`  - ${name}: ${first}`, ...rest.map((line) => (line ? "    " + line : ""))];
  }

  /** A front-matter string: */
  function quote(rules, value) {
    const hex = (char) => "\\u" + char.charCodeAt(0).toString(16).padStart(4, "0");
    return JSON.stringify(value).replace(rules.yamlUnsafe, hex);
  }

  /** The lines of one item and its answer; */
  function itemLines(rules, item, answer, currentRev) {
    const { fields } = rules;
    // A probe's answer counts as open until a person deletes its mark: its box stays empty.
    const box = rules.doneStates.has(answer.state) && !answer.prefilled ? "x" : " ";
    const meta = `${isLive(item) ? item.severity : "retired"}, rev ${answer.rev}`;
    const lines = [`- [${box}] **${item.id}** ${oneLine(item.title)} *(${meta})*`];
    if (!isLive(item)) {
      lines.push("  > Retired: " + (item.replaced_by ? "replaced by " + item.replaced_by : oneLine(item.reason)));
    } else {
      if (answer.rev !== currentRev) {
        lines.push(`  > Re-verify: answered for rev ${answer.rev}; the item is now rev ${currentRev}.`);
      }
      for (const line of cleanBlock(item.check)) lines.push(line ? "  > " + line : "  >");
    }
    const marks = (answer.prefilled ? " " + rules.probe_mark : "") + (answer.automatic ? " " + rules.scope_mark : "");
    lines.push(`  - ${fields.state}: ${answer.state}${marks}`);
    // A blank reason or owner reads back as empty, so only non-blank ones earn a line.
    if (strip(answer.reason) || answer.state === "na" || answer.state === "waived") {
      lines.push(...fieldLines(fields.reason, answer.reason));
    }
    if (strip(answer.owner) || answer.state === "waived") lines.push(...fieldLines(fields.owner, answer.owner));
    for (const evidence of answer.evidence) {
      const label = evidence.source === "probe" ? fields["evidence (probe)"] : fields.evidence;
      lines.push(`  - ${label}: ${oneLine(evidence.text)}`);
    }
    return lines.concat(fieldLines(fields.note, answer.note));
  }

  /** Progress per severity, the gate and the outcomes (report.summary_lines). */
  function summaryLines(result) {
    const lines = ["| Severity | Done | Open | Failed | N/A | Waived |", "|---|---|---|---|---|---|"];
    for (const { severity, done, total, counts } of result.progress) {
      lines.push(`| ${severity} | ${done} of ${total} | ${counts.open} | ${counts.fail} | ${counts.na} | ${counts.waived} |`);
    }
    lines.push("", "- **Gate:** " + gateText(result));
    for (const outcome of result.outcomes) {
      lines.push(`- **${oneLine(outcome.title)}:** ${oneLine(outcome.label)} — ${oneLine(outcome.reason)}`);
    }
    if (result.reverify.length) {
      lines.push(`- **Re-verify:** ${result.reverify.join(", ")} (the item changed since it was answered).`);
    }
    if (result.unconfirmed.length) {
      lines.push(`- **Confirm:** ${result.unconfirmed.join(", ")} (set by a probe; a person must confirm).`);
    }
    return lines;
  }

  /** The Markdown fill-in report, byte for byte what report.render_markdown writes. */
  function toMarkdown(checklist, report) {
    const rules = contractOf(checklist);
    report = normalize(checklist, report);
    const answers = byId(report.answers);
    const title = checklist.title + (strip(report.system) ? ": " + oneLine(report.system) : "");
    const lines = [
      "---",
      "format: " + rules.report_format,
      "checklist: " + report.checklist,
      ...["checklist_version", "system", "mesh", "dataplane", "date"].map((key) => `${key}: ${quote(rules, report[key])}`),
      `reviewers: [${report.reviewers.map((name) => quote(rules, name)).join(", ")}]`,
      "---",
      "",
      "# " + title,
      "",
      rules.fill_in_help,
      "",
      ...summaryLines(score(checklist, report)),
    ];
    checklist.sections.forEach((section, index) => {
      const live = section.items.filter(isLive);
      if (!live.length) return;
      lines.push("", `## ${index + 1}. ${oneLine(section.title)}`, "");
      for (const item of live) lines.push(...itemLines(rules, item, answers.get(item.id), item.rev));
    });
    const retired = itemsOf(checklist).filter((item) => !isLive(item) && answers.has(item.id));
    if (retired.length) lines.push("", "## Retired items", "");
    for (const item of retired) lines.push(...itemLines(rules, item, answers.get(item.id), undefined));
    return lines.join("\n") + "\n";
  }

  /** The report as JSON, byte for byte what report.render_json writes. */
  function toJSON(checklist, report) {
    const { report_format: format } = contractOf(checklist);
    const { checklist: id, checklist_version, system, mesh, dataplane, date, reviewers, answers } = normalize(checklist, report);
    const data = {
      format, checklist: id, checklist_version, system, mesh, dataplane, date, reviewers,
      answers: answers.map(({ id, rev, state, note, reason, owner, evidence, prefilled, automatic }) => ({
        id, rev, state, note, reason, owner, evidence: evidence.map(({ source, text }) => ({ source, text })), prefilled,
        automatic: automatic === true,
      })),
    };
    return JSON.stringify(data, null, 2) + "\n";
  }
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


  /** A front-matter value, in the forms a hand-edited report uses and that YAML reads the same way: */
  function scalar(rules, text, where) {
    const value = strip(text);
    if (!value || rules.yamlWords.test(value)) {
      if (!value || /^(?:~|null|Null|NULL)$/.test(value)) return null;
      fail(`${where}'${value}' is not text to YAML; put it in double quotes`);
    }
    if (rules.yamlUnsafeOne.test(value) || /[\x00-\x08\x0a-\x1f]/.test(value)) fail(`${where}a control character`);
    if (value[0] === '"' || value[0] === "[") {
      let parsed;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      if (isString(parsed) || (Array.isArray(parsed) && parsed.every(isString))) return parsed;
      if (value[0] === "[" && /^\[[^"'[\]{}]*\]$/.test(value)) {
        const inner = strip(value.slice(1, -1));
        const names = inner ? inner.split(",").map(strip) : [];
        if (names.every((name) => rules.plain.test(name) && !rules.yamlWords.test(name))) return names;
      }
      fail(`${where}unreadable value; quote it`);
    }
    const quoted = rules.singleQuoted.exec(value);
    if (quoted) return quoted[1].replace(/''/g, "'");
    if (rules.plain.test(value)) return value;
    return fail(`${where}unreadable value; quote it`);
  }

  /** The front matter from `lines[start]` ('---') to its closing line: */
  function parseFrontMatter(rules, lines, start, at) {
    const data = {};
    let last;
    let listIndent;
    let index = start + 1;
    for (; index < lines.length && !/^(---|\.\.\.)$/.test(strip(lines[index])); index++) {
      const line = lines[index];
      if (line.includes("\t")) fail(at(index) + "a tab in front matter; YAML needs spaces");
      const entry = /^([A-Za-z_]+):(?: (.*))?$/s.exec(line);
      const listItem = /^( *)- (.*)$/s.exec(line);
      if (entry) {
        if (!rules.front_matter_keys.includes(entry[1])) fail(`${at(index)}unknown front-matter field '${entry[1]}'`);
        if (Object.hasOwn(data, entry[1])) fail(`${at(index)}'${entry[1]}' is given twice`);
        last = entry[1];
        listIndent = undefined;
        const names = last === "reviewers" && /^[^"'[\]{}]*,[^"'[\]{}]*$/.test(entry[2] || "")
          ? strip(entry[2]).split(",").map(strip).filter(Boolean) : null;
        if (names && names.every((name) => rules.plain.test(name) && !rules.yamlWords.test(name))) data[last] = names;
        else data[last] = scalar(rules, entry[2] || "", at(index));
      } else if (listItem && last === "reviewers" && (data[last] === null || listIndent === listItem[1].length)) {
        listIndent = listItem[1].length;
        const name = scalar(rules, listItem[2], at(index));
        if (!isString(name)) fail(`${at(index)}a reviewer must be text`);
        (data[last] = data[last] || []).push(name);
      } else if (!/^ *(#[^\t]*)?$/.test(line)) {
        fail(at(index) + "unreadable front matter");
      }
    }
    if (index >= lines.length) fail(at(start) + "front matter not closed with '---'");
    for (const key of ["format", "checklist", "checklist_version", "system", "mesh", "dataplane", "date"]) {
      if (Array.isArray(data[key])) fail(`${at(start)}${key} must be text; put the value in double quotes`);
    }
    if (isString(data.reviewers)) data.reviewers = data.reviewers.split(",").map(strip).filter(Boolean);
    for (const key of ["checklist_version", "system", "mesh", "dataplane", "date"]) {
      if (data[key] === null || data[key] === undefined) data[key] = "";
    }
    data.reviewers = data.reviewers || [];
    if (data.format === null) delete data.format;
    return [data, index + 1];
  }

  /** How far a line is indented, in columns up to four (a tab goes to the next multiple of four), and what follows (report._split_indent). */
  function splitIndent(line) {
    let columns = 0;
    for (let index = 0; index < line.length; index++) {
      const char = line[index];
      if (columns >= 4 || (char !== " " && char !== "\t")) return [columns, line.slice(index)];
      columns = char === " " ? columns + 1 : columns + 4 - (columns % 4);
    }
    return [columns, ""];
  }

  const isBlank = (line) => !strip(line);
  const isIndented = (line) => line[0] === " " || line[0] === "\t";

  /** Where the lines under an item line end (report._body_end). */
  function bodyEnd(lines, index) {
    while (index < lines.length && (isBlank(lines[index]) || isIndented(lines[index]))) {
      if (isBlank(lines[index])) {
        let after = index;
        while (after < lines.length && isBlank(lines[after])) after++;
        if (after >= lines.length || !isIndented(lines[after])) break;
        index = after;
      } else {
        index++;
      }
    }
    return index;
  }

  /** One item's answer from the lines under its task-list line (report._parse_answer). */
  function parseAnswer(rules, id, rev, ticked, body, at) {
    const { fields } = rules;
    const given = {};
    const evidence = [];
    let continued = null; // the lines of the free-text field later lines belong to
    for (const [number, line] of body) {
      if (isBlank(line)) {
        if (continued) continued.push("");
        continue;
      }
      const [columns, content] = splitIndent(line);
      const match = rules.fieldLine.exec(line);
      const key = match ? strip(match[2]).toLowerCase() : "";
      if (match && Object.hasOwn(fields, key)) {
        const value = strip(match[3]);
        continued = null;
        if (key.startsWith("evidence")) {
          if (!value) fail(`${at(number)}${id}: an Evidence line says nothing`);
          evidence.push({ source: key.includes("probe") ? "probe" : "person", text: value });
        } else if (given[key]) {
          fail(`${at(number)}${id}: ${fields[key]} is given twice`);
        } else {
          given[key] = { number, lines: [value] };
          if (rules.free_text_fields.includes(key)) continued = given[key].lines;
        }
      } else if (match) {
        fail(`${at(number)}${id}: unknown field '${match[2]}'`);
      } else if (continued && columns >= 4) {
        continued.push(content);
      } else if (continued && !rules.listLine.test(line)) {
        continued.push(line.replace(/^ +/, "")); // a follow-on line indented by one to three spaces
      } else if (!continued && columns < 4 && content.startsWith(">")) {
        // the item's check statement, recomputed from the checklist
      } else {
        fail(`${at(number)}${id}: a line of no field (fields are indented 2 spaces, notes 4)`);
      }
    }
    const stateLine = given.state ? given.state.number : undefined;
    const written = given.state ? given.state.lines[0] : "open";
    const word = strip(written.split(rules.probe_mark).join("").split(rules.scope_mark).join("")).toLowerCase();
    let state = Object.hasOwn(rules.state_aliases, word) ? rules.state_aliases[word] : word;
    if (!rules.states.includes(state)) fail(`${at(stateLine)}unknown state '${written}'`);
    if (ticked && state === "open") state = "pass";
    else if (ticked && state === "fail") fail(`${at()}${id}: box ticked but State is fail`);
    else if (!ticked && rules.doneStates.has(state) && !written.includes(rules.probe_mark)) fail(`${at()}${id}: State is ${state} but the box is not ticked`);
    const text = (key) => (given[key] ? cleanBlock(given[key].lines.join("\n")).join("\n") : "");
    const answer = {
      id, rev, state, note: text("note"), reason: text("reason"), owner: text("owner"), evidence,
      prefilled: written.includes(rules.probe_mark),
      automatic: written.includes(rules.scope_mark) && state === "na",
    };
    const missing = missingField(answer);
    if (missing) fail(`${at(stateLine)}${id} ${missing}`);
    return answer;
  }

  /** A line outside every item: */
  function topLevel(rules, lines, index, at) {
    const line = lines[index];
    if (isBlank(line) || rules.topLevelLine.test(line)) return index + 1;
    const opens = line.indexOf("<!--");
    if (opens >= 0 && opens <= 3 && !strip(line.slice(0, opens)) && /^ *$/.test(line.slice(0, opens))) {
      for (let end = index; end < lines.length; end++) {
        if (lines[end].slice(end === index ? opens + 4 : 0).includes("-->")) return end + 1;
      }
      fail(`${at(index)}an HTML comment ('<!--') is not closed with '-->'`);
    }
    if (rules.taskLine.test(line)) {
      const word = (/^[ \t]*[-*+][ \t]+\[[^\]]*\][ \t]*\**([^*\s]*)/.exec(line) || [])[1] || "";
      const odd = [...word].find((char) => !/[A-Z0-9-]/.test(char));
      const code = odd === undefined ? "" : ` (U+${odd.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")})`;
      fail(`${at(index)}not an item line: ID ${JSON.stringify(word)}${code} or its box`);
    }
    return fail(`${at(index)}text outside an item would be lost; put it in a Note`);
  }

  /** A Markdown fill-in report read back: */
  function parseMarkdown(checklist, text, file) {
    const rules = contractOf(checklist);
    const lines = toLines(text.replace(/^\ufeff+/, ""));
    const known = byId(itemsOf(checklist));
    const at = (index) => `${file}:${index + 1}:1: `;
    const bad = lines.findIndex((line) => forbiddenText(rules, line));
    if (bad >= 0) fail(`${at(bad)}the line ${forbiddenText(rules, lines[bad])}`);
    let index = 0;
    while (index < lines.length && !strip(lines[index])) index++;
    const frontStart = index;
    if (strip(lines[index] || "") !== "---") fail(at(index) + "no '---' front matter naming the checklist");
    const [front, bodyStart] = parseFrontMatter(rules, lines, frontStart, at);
    const report = cleanReport(checklist, { ...front, answers: [] }, at(frontStart));
    const answers = new Map();
    const problems = [];
    index = bodyStart;
    while (index < lines.length) {
      const start = index;
      const head = rules.itemLine.exec(lines[start]);
      if (!head) {
        try {
          index = topLevel(rules, lines, start, at);
        } catch (error) {
          problems.push(error.message);
          index = error.message.includes("is not closed with '-->'") ? lines.length : bodyEnd(lines, start + 1);
        }
        continue;
      }
      index = bodyEnd(lines, start + 1);
      const body = [];
      for (let number = start + 1; number < index; number++) body.push([number, lines[number]]);
      const [, box, id, rest] = head;
      try {
        if (!known.has(id)) fail(`${at(start)}${id} is not in this checklist`);
        if (answers.has(id)) fail(`${at(start)}${id} appears twice`);
        const revMatch = [...rest.matchAll(rules.rev)].pop(); // the last: a title cannot fake it
        if (!revMatch && rules.meta.test(rest)) fail(`${at(start)}${id}: the meta is not '*(severity, rev N)*'`);
        const digits = revMatch ? revMatch[1] : String(known.get(id).rev);
        const rev = Number(digits);
        if (!(digits.length <= String(rules.max_rev).length && rev >= 1 && rev <= rules.max_rev)) {
          fail(`${at(start)}${id}: rev ${digits} is not 1 to ${rules.max_rev}`);
        }
        answers.set(id, parseAnswer(rules, id, rev, box !== " ", body, (line = start) => at(line)));
      } catch (error) {
        problems.push(error.message);
      }
    }
    const more = problems.length > 20 ? [`${file}: and ${problems.length - 20} more problem(s)`] : [];
    if (problems.length) fail(problems.slice(0, 20).concat(more).join("\n"));
    return { ...report, answers: [...answers.values()] };
  }

  /** The first key given twice in one object of valid JSON text: */
  function duplicateKey(text) {
    const token = /"(?:[^"\\]|\\.)*"|[{}[\],]/g;
    const stack = [];
    for (let match = token.exec(text); match; match = token.exec(text)) {
      const [word] = match;
      const top = stack[stack.length - 1];
      if (word === "{") stack.push({ keys: new Set(), wantKey: true });
      else if (word === "[") stack.push(null);
      else if (word === "}" || word === "]") stack.pop();
      else if (word === ",") {
        if (top) top.wantKey = true;
      } else if (top && top.wantKey) {
        const key = JSON.parse(word);
        if (top.keys.has(key)) return { key, index: match.index };
        top.keys.add(key);
        top.wantKey = false;
      }
    }
    return null;
  }

  /** A report file read back: */
  function parseReport(checklist, text, file) {
    const isJSON = /\.json$/i.test(file) || (!/\.(md|markdown|ya?ml)$/i.test(file) && /^[\ufeff \n\r\t]*\{/.test(text));
    if (/\.ya?ml$/i.test(file)) fail(`${file}: the page reads Markdown and JSON reports; convert with meshkb checklist NAME --from ${file}`);
    if (!isJSON) return parseMarkdown(checklist, text, file);
    const source = text.replace(/^\ufeff/, "");
    let data;
    try {
      data = JSON.parse(source);
    } catch (error) {
      fail(`${file}: not valid JSON: ${error.message}`);
    }
    const twice = duplicateKey(source);
    if (twice) {
      const before = source.slice(0, twice.index);
      const line = before.split("\n").length;
      fail(`${file}:${line}:${twice.index - before.lastIndexOf("\n")}: key '${twice.key}' is given twice in one JSON object`);
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) fail(file + ": not a report");
    return cleanReport(checklist, data, file + ": ", true);
  }

  const api = {
    contractOf, strip, oneLine, itemsOf, isLive, blankAnswer, missingField,
    normalize, effectiveStates, conditionHolds, evaluateOutcomes, score, gateText,
    toMarkdown, toJSON, cleanAnswer, cleanReport, parseMarkdown, parseReport, forbiddenText,
  };
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else Object.assign((globalThis.meshkb = globalThis.meshkb || {}), api);
})();
