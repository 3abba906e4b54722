/* meshkb-report.js: reports out (Markdown, JSON) and back in; see README.md beside this file. */
(() => {
  "use strict";

  // The page loads this file when a reader first exports or imports; Node requires it.
  const core = typeof module === "object" && module && module.exports ? require("./meshkb-core.js") : globalThis.meshkb;
  const {
    contractOf, rstrip, strip, oneLine, toLines, isString, itemsOf, isLive, byId,
    normalize, score, gateText, fail, forbiddenText, missingField, cleanReport,
  } = core;

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

  const api = { toMarkdown, toJSON, parseMarkdown, parseReport };
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else Object.assign(globalThis.meshkb, api);
})();
