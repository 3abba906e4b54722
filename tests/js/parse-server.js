// The page's report reader as a process: Python's property tests (tests/report/
// test_page_parser.py) feed it one JSON request a line and compare what it says with
// report.py. Not a *.test.js file: `node --test` does not run it.
//   request:  {"checklist": <page data>, "text": "...", "file": "r.md"}  (checklist may be
//             omitted to reuse the last one)
//   answer:   {"report": {...}, "markdown": "...", "json": "..."} or {"error": "..."}
"use strict";

const path = require("node:path");
const readline = require("node:readline");

const assets = path.join(__dirname, "..", "..", "plugins", "meshkb", "assets");
const core = { ...require(path.join(assets, "meshkb-core.js")), ...require(path.join(assets, "meshkb-report.js")) };

let checklist = null;
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  const request = JSON.parse(line);
  if (request.checklist) checklist = request.checklist;
  let answer;
  try {
    const report = core.parseReport(checklist, request.text, request.file);
    answer = { report, markdown: core.toMarkdown(checklist, report), json: core.toJSON(checklist, report) };
  } catch (error) {
    answer = { error: String(error.message) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
