/* meshkb checklist pages, the DOM part: answers on the page, kept in localStorage,
   shared by link, exported and imported. Every rule (scoring, reports, what is valid)
   is in meshkb-core.js, which must load first; the plugin lists the scripts in name
   order, and "meshkb-core" sorts before "meshkb-page".

   The page HTML comes from meshkb/render.py: one `.meshkb[data-meshkb]` element per
   checklist, its data as JSON in the element's first <script>, per-item controls in a
   <template>. Starting again on the same element does nothing, so Material's instant
   navigation can call start() on every page it shows. */
(() => {
  "use strict";

  const core = globalThis.meshkb;

  /** Today in the browser's time zone, as an ISO date. */
  const today = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);

  /** Review fields with nothing chosen yet. */
  const freshFields = () => ({ system: "", mesh: "", dataplane: "", date: today(), reviewers: [] });

  /** The review fields of a report. */
  const fieldsOf = ({ system, mesh, dataplane, date, reviewers }) => ({ system, mesh, dataplane, date, reviewers });

  /** An answer nobody has touched: open, with no text, evidence or probe mark. */
  const isUntouched = (answer) =>
    answer.state === "open"
    && !(answer.note || answer.reason || answer.owner || answer.evidence.length || answer.prefilled);

  /**
   * Enhance one checklist element. Page state: `fields` (the review fields) and
   * `answers` (item ID -> answer; an `automatic` answer was set n/a by the mesh or data
   * plane chosen, and goes when the choice changes).
   * @param {HTMLElement} root a `[data-meshkb]` element
   */
  function init(root) {
    if (root.dataset.meshkbReady) return;
    root.dataset.meshkbReady = "1";
    const find = (selector, within = root) => within.querySelector(selector);
    const findAll = (selector, within = root) => [...within.querySelectorAll(selector)];

    const checklist = JSON.parse(find("script").textContent)[0];
    const contract = core.contractOf(checklist);
    const storageKey = "meshkb:" + checklist.id;
    const allItems = core.itemsOf(checklist);
    const itemById = new Map(allItems.map((item) => [item.id, item]));
    const liveItems = allItems.filter(core.isLive);
    const label = (state) => contract.state_labels[state];
    const isDone = (state) => contract.doneStates.has(state);
    const messageBox = find("[data-meshkb-message]");

    let fields = freshFields();
    let answers = new Map();

    function say(text, offerReset = false) {
      messageBox.textContent = text;
      find("[data-meshkb-offer]").hidden = !offerReset;
    }

    // ---- state: storage, share links, reports ----

    const pageState = () => ({
      format: contract.page_format, checklist: checklist.id, fields, answers: Object.fromEntries(answers),
    });

    /**
     * Saved or shared page state read back: [fields, answers]. Bad fields make it fail
     * as a whole; a bad answer is dropped, and said so.
     */
    function readPageState(data, what) {
      if (!data || data.format !== contract.page_format || data.checklist !== checklist.id || typeof data.answers !== "object") {
        throw new Error("not this checklist's page state");
      }
      const report = core.cleanReport(checklist, {
        ...freshFields(), ...data.fields, format: contract.report_format, checklist: checklist.id,
        checklist_version: "0.0.0", answers: [],
      }, "");
      const read = new Map();
      const bad = [];
      for (const [id, raw] of Object.entries(data.answers || {})) {
        const answer = core.cleanAnswer(checklist, { ...raw, id });
        // `auto` is how pages before the report's `automatic` field kept it.
        if (answer) read.set(id, { ...answer, automatic: answer.automatic || (raw.auto === true && answer.state === "na") });
        else bad.push(id);
      }
      if (bad.length) say(`${bad.length} ${what} answer(s) could not be read and are ignored.`, true);
      return [fieldsOf(report), read];
    }

    function save() {
      try {
        localStorage.setItem(storageKey, JSON.stringify(pageState()));
      } catch (error) {
        const why = error.name === "QuotaExceededError"
          ? ": the browser's storage is full (QuotaExceededError)"
          : ` (${error.name})`;
        say(`Your answers could not be saved${why}. Export them to keep them.`);
      }
    }

    /** The page's answers as a report (what export writes). */
    const currentReport = () => ({
      checklist: checklist.id, checklist_version: checklist.version, ...fields,
      answers: [...answers.values()],
    });

    /** Whether an item applies to the mesh and data plane chosen (nothing chosen: yes). */
    const applies = (item) =>
      [["mesh", fields.mesh], ["dataplane", fields.dataplane]].every(
        ([key, chosen]) => !chosen || !item[key].length || item[key].includes(chosen),
      );

    /** Like report.new_report: items for another mesh or data plane start as n/a. */
    function applyScope() {
      const chosen = fields.mesh && fields.dataplane ? `${fields.mesh} (${fields.dataplane})` : fields.mesh || fields.dataplane;
      for (const item of liveItems) {
        const answer = answers.get(item.id);
        if (answer && (answer.automatic || isUntouched(answer))) answers.delete(item.id);
        if (!answers.has(item.id) && !applies(item)) {
          answers.set(item.id, {
            ...core.blankAnswer(item), state: "na", automatic: true,
            reason: `Applies only to ${item.applies}; this system runs ${chosen}.`,
          });
        }
      }
    }

    // ---- showing ----

    function showItem(element) {
      const item = itemById.get(element.dataset.meshkbItem);
      const answer = answers.get(item.id);
      const state = answer ? answer.state : "open";
      const summary = find("[data-meshkb-answer]", element);
      const said = answer
        ? ["reason", "owner", "note"].map((key) => (answer[key] ? `; ${key}: ${core.oneLine(answer[key])}` : "")).join("")
        : "";
      if (!core.isLive(item)) {
        summary.textContent = answer ? `Answer kept from an earlier review: ${label(state)}${said}` : "";
        return;
      }
      element.className = element.className.replace(/ meshkb-(s-\w+|notfor)/g, "")
        + " meshkb-s-" + state + (applies(item) ? "" : " meshkb-notfor");
      find("[type=checkbox]", element).checked = isDone(state);
      for (const radio of findAll("[type=radio]", element)) radio.checked = radio.value === state;
      for (const key of ["note", "reason", "owner"]) {
        const input = find(`[data-k=${key}]`, element);
        const value = answer ? answer[key] : "";
        const needed = key === "reason" ? state === "na" || state === "waived" : key === "owner" && state === "waived";
        if (input.value !== value) input.value = value; // keeps the caret where it is
        input.parentNode.hidden = key !== "note" && !needed && !value;
        input.setAttribute("aria-invalid", String(needed && !core.strip(value)));
      }
      const missing = answer && core.missingField(answer);
      const flags = {
        notfor: !applies(item) && "Not for " + [fields.mesh, fields.dataplane].filter(Boolean).join(" "),
        rev: answer && answer.rev !== item.rev && `Re-verify: answered for rev ${answer.rev}; the item is now rev ${item.rev}.`,
        probe: answer && answer.prefilled && true, // its text is in the template
        lacks: missing && `${answer.id} ${missing}.`,
      };
      for (const [name, text] of Object.entries(flags)) {
        const flag = find(`[data-flag=${name}]`, element);
        flag.hidden = !text;
        if (typeof text === "string") flag.firstChild.textContent = text;
      }
      const evidence = find("[data-meshkb-evidence]", element);
      evidence.replaceChildren(...(answer ? answer.evidence : []).map((entry) => {
        const line = document.createElement("li");
        line.textContent = `${entry.source === "probe" ? contract.fields["evidence (probe)"] : contract.fields.evidence}: ${entry.text}`;
        return line;
      }));
      evidence.hidden = !evidence.children.length;
      summary.textContent = `State: ${label(state)}${said}`;
    }

    function showStatus() {
      const result = core.score(checklist, core.normalize(checklist, currentReport()));
      // Writing only changed text keeps the aria-live region from repeating itself.
      const setText = (node, text) => {
        if (node.textContent !== text) node.textContent = text;
      };
      for (const progress of result.progress) {
        const row = find(`[data-meshkb-progress=${progress.severity}]`);
        setText(find("[data-meshkb-count=done]", row), `${progress.done} of ${progress.total}`);
        for (const state of ["open", "fail", "na", "waived"]) {
          setText(find(`[data-meshkb-count=${state}]`, row), String(progress.counts[state]));
        }
      }
      find("[data-meshkb-gate]").dataset.meshkbGate = result.gate ? "pass" : "fail";
      setText(find("[data-meshkb-gate-text]"), core.gateText(result));
      for (const outcome of result.outcomes) {
        const element = find(`[data-meshkb-outcome="${outcome.id}"]`);
        element.dataset.meshkbResult = outcome.result;
        setText(find("[data-meshkb-label]", element), outcome.label);
        setText(find("[data-meshkb-reason]", element), core.oneLine(outcome.reason));
      }
      const kept = [...answers.values()].filter((answer) => !itemById.has(answer.id));
      const keptBox = find("[data-meshkb-kept]");
      keptBox.hidden = !kept.length;
      setText(keptBox, "Answers kept for items no longer in this checklist: "
        + kept.map((answer) => `${answer.id} (${label(answer.state)})`).join(", "));
    }

    function applyFilters() {
      const severity = find("[data-meshkb-filter=severity]").value;
      const wanted = find("[data-meshkb-filter=state]").value;
      const stateMatches = (item, answer) =>
        wanted === "reverify" ? answer && answer.rev !== item.rev : (answer ? answer.state : "open") === wanted;
      let shown = 0;
      for (const element of findAll("[data-meshkb-item]")) {
        const item = itemById.get(element.dataset.meshkbItem);
        const answer = answers.get(item.id);
        // Tombstones show only when no filter is set.
        element.hidden = core.isLive(item)
          ? !((!severity || item.severity === severity) && (!wanted || stateMatches(item, answer)))
          : Boolean(severity || wanted);
        if (!element.hidden && core.isLive(item)) shown++;
      }
      for (const section of findAll("[data-meshkb-section]")) {
        section.hidden = !find("[data-meshkb-item]:not([hidden])", section);
      }
      find("[data-meshkb-shown]").textContent = `Showing ${shown} of ${liveItems.length} items`;
    }

    function showAll() {
      for (const input of findAll("[data-meshkb-field]")) {
        input.value = [].concat(fields[input.dataset.meshkbField]).join(", ");
      }
      findAll("[data-meshkb-item]").forEach(showItem);
      showStatus();
      applyFilters();
    }

    // ---- changing ----

    function updateAnswer(id, change) {
      const item = itemById.get(id);
      const answer = { ...(answers.get(id) || core.blankAnswer(item)), automatic: false };
      change(answer, item);
      answers.set(id, answer);
      save();
      showItem(find(`[data-meshkb-item="${id}"]`));
      showStatus();
    }

    function replaceAnswers([newFields, newAnswers], what, missing = []) {
      const hasWork = [...answers.values()].some((answer) => !isUntouched(answer));
      if (hasWork && !confirm(`Replace the answers on this page with those from ${what}?`)) return;
      fields = newFields;
      answers = newAnswers;
      save();
      showAll();
      say(`Loaded ${newAnswers.size} answer(s) from ${what}.`
        + (missing.length ? ` Not in the file, so open: ${missing.join(", ")}.` : ""));
    }

    function setField(input, key) {
      fields[key] = key === "reviewers" ? input.value.split(",").map(core.strip).filter(Boolean) : input.value;
      if (key === "mesh" || key === "dataplane") {
        applyScope();
        showAll();
      }
      save();
    }

    function download(extension, text) {
      const link = document.createElement("a");
      const incomplete = liveItems
        .filter((item) => answers.has(item.id) && core.missingField(answers.get(item.id)))
        .map((item) => item.id);
      if (incomplete.length) {
        say(`Not exported: ${incomplete.join(", ")} still need a reason or owner (meshkb report check would refuse the file).`);
        return;
      }
      try {
        core.parseReport(checklist, text, `${checklist.id}-review.${extension}`); // what we write, we can read
      } catch (error) {
        say(`Not exported: ${error.message}`);
        return;
      }
      link.href = URL.createObjectURL(new Blob([text], { type: extension === "md" ? "text/markdown" : "application/json" }));
      link.download = `${checklist.id}-review.${extension}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      say(`Exported ${link.download}.`);
    }

    function importFile(input, file) {
      file.text()
        .then((text) => {
          const report = core.parseReport(checklist, text, file.name);
          const given = new Map(report.answers.map((answer) => [answer.id, answer]));
          const missing = liveItems.filter((item) => !given.has(item.id)).map((item) => item.id);
          replaceAnswers([fieldsOf(report), given], file.name, missing);
        })
        .catch((error) => say(error.message))
        .finally(() => {
          input.value = ""; // so the same file can be chosen again
        });
    }

    const actions = {
      md: () => download("md", core.toMarkdown(checklist, currentReport())),
      json: () => download("json", core.toJSON(checklist, currentReport())),
      print: () => print(),
      share: () => {
        const input = find("[data-meshkb-share] input");
        input.value = location.href.split("#")[0] + "#meshkb=" + encodeURIComponent(JSON.stringify(pageState()));
        input.closest("[data-meshkb-share]").hidden = false;
        input.select();
      },
      reset: () => {
        if (!confirm(`Reset all answers to “${checklist.title}” in this browser?`)) return;
        fields = freshFields();
        answers = new Map();
        try {
          localStorage.removeItem(storageKey);
        } catch {
          // nothing was saved
        }
        showAll();
        say("All answers were reset.");
      },
    };

    // ---- wiring ----

    const controls = find("template");
    for (const element of findAll("[data-meshkb-item]")) {
      const id = element.dataset.meshkbItem;
      if (!core.isLive(itemById.get(id))) continue;
      find("[data-meshkb-slot]", element).append(controls.content.cloneNode(true));
      for (const radio of findAll("[type=radio]", element)) radio.name = `meshkb-${checklist.id}-${id}`;
      for (const hint of findAll(".meshkb-sr", element)) hint.textContent = " for " + id;
      find("[type=checkbox]", element).disabled = false;
    }

    root.addEventListener("change", ({ target }) => {
      const element = target.closest("[data-meshkb-item]");
      const setState = (state) =>
        updateAnswer(element.dataset.meshkbItem, (answer, item) => Object.assign(answer, { state, rev: item.rev, prefilled: false }));
      if (target.files && target.files[0]) importFile(target, target.files[0]);
      else if (target.dataset.meshkbFilter) applyFilters();
      else if (target.dataset.meshkbField) setField(target, target.dataset.meshkbField);
      else if (element && target.type === "radio") setState(target.value);
      else if (element && target.type === "checkbox") setState(target.checked ? "pass" : "open");
    });
    root.addEventListener("input", ({ target }) => {
      const element = target.closest("[data-meshkb-item]");
      const key = target.dataset.k;
      if (element && key) {
        updateAnswer(element.dataset.meshkbItem, (answer) => {
          answer[key] = target.value;
        });
      } else if (target.type === "text" && target.dataset.meshkbField) {
        setField(target, target.dataset.meshkbField);
      }
    });
    root.addEventListener("click", ({ target }) => {
      const button = target.closest("button");
      if (!button) return;
      if (button.dataset.meshkbAction) actions[button.dataset.meshkbAction]();
      else if (button.value === "fix") {
        // "Still holds" and "Confirm": the answer stands for the current rev, by a person.
        updateAnswer(button.closest("[data-meshkb-item]").dataset.meshkbItem, (answer, item) =>
          Object.assign(answer, { rev: item.rev, prefilled: false }));
      }
    });

    try {
      const raw = localStorage.getItem(storageKey);
      if (raw !== null) [fields, answers] = readPageState(JSON.parse(raw), "saved");
    } catch (error) {
      const denied = error.name === "SecurityError";
      say(denied ? "This browser cannot keep answers: export them." : "Saved answers could not be read; the page starts empty.", !denied);
    }
    find("[data-meshkb-nojs]").hidden = true;
    find("[data-meshkb-toolbar]").hidden = false;
    showAll();
    if (location.hash.startsWith("#meshkb=")) {
      try {
        const shared = JSON.parse(decodeURIComponent(location.hash.slice("#meshkb=".length)));
        replaceAnswers(readPageState(shared, "shared"), "the share link");
      } catch {
        say("The share link could not be read; your answers are unchanged.");
      }
      // The answers are in storage now; the link stays out of history and bookmarks.
      history.replaceState(history.state, "", location.pathname + location.search);
    }
  }

  /** Enhance every checklist on the page (again after each instant navigation). */
  function start() {
    document.querySelectorAll("[data-meshkb]").forEach(init);
  }

  if (!core || !core.contractOf) {
    console.error("meshkb: meshkb-core.js must load before meshkb-page.js");
    return;
  }
  core.start = start;
  if (globalThis.document$) globalThis.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
