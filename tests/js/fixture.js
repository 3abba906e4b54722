// What the Node tests compare the page's core with: written by Python (tests/site/test_js.py)
// to the JSON file MESHKB_JS_FIXTURE names, from the real checklists and report.py.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const file = process.env.MESHKB_JS_FIXTURE;
if (!file) {
  throw new Error(
    "MESHKB_JS_FIXTURE is not set: run these through pytest (tests/site/test_js.py), or write the " +
      "file with `python -m tests.site.test_js FILE` and set MESHKB_JS_FIXTURE=FILE",
  );
}

/** @type {{checklists: object, vectors: object[], exports: object[], edited: object[], python_whitespace: string[]}} */
const fixture = JSON.parse(fs.readFileSync(file, "utf-8"));

/**
 * The folder of the scripts under test: the sources, or (MESHKB_JS_ASSETS) the copies a site
 * serves, as `meshkb site generate` writes them (minified).
 */
const assets = process.env.MESHKB_JS_ASSETS || path.join(__dirname, "..", "..", "plugins", "meshkb", "assets");

/** The core and the report module as the page loads them, required with no build step. */
const core = {
  ...require(path.join(assets, "meshkb-core.js")),
  ...require(path.join(assets, "meshkb-report.js")),
};

/** A deep copy of a checklist's page data, safe to change in a test. */
const checklistCopy = (id) => structuredClone(fixture.checklists[id]);

module.exports = { fixture, core, checklistCopy, assets };
