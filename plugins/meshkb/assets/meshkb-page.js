/* meshkb-page.js: the DOM part of the checklist pages; see README.md beside this file. */
(() => {
  "use strict";

  const core = globalThis.meshkb;

  /**
   * Enhance one checklist element. Page state: `fields` (the review fields) and
   * `answers` (item ID -> answer; an `automatic` answer was set n/a by the mesh or data
   * plane chosen, and goes when the choice changes).
   * @param {HTMLElement} root a `[data-meshkb]` element
   */
  function init(root) {
    if (root.dataset.meshkbReady) return;
    const find = (selector, within = root) => within.querySelector(selector);
    const findAll = (selector, within = root) => [...within.querySelectorAll(selector)];

    const checklist = JSON.parse(find("script").textContent)[0];
    const contract = core.contractOf(checklist);
    const storageKey = "meshkb:" + checklist.id;
    const allItems = core.itemsOf(checklist);
    const itemById = new Map(allItems.map((item) => [item.id, item]));
    const liveItems = allItems.filter(core.isLive);
    const label = (state) => contract.state_labels[state];
    const messageBox = find("[data-meshkb-message]");
    const outcomeItems = new Map(checklist.outcomes.map((outcome) =>
      [outcome.id, [...outcome.rules.reduce((ids, rule) => core.conditionItems(rule.when, ids), new Set())]]));

    /** Every item element and its state line; its controls are looked up when first needed. */
    const views = new Map();
    for (const element of findAll("[data-meshkb-item]")) {
      const id = element.dataset.meshkbItem;
      views.set(id, { element, item: itemById.get(id), answer: find("[data-meshkb-answer]", element), shown: element.className, parts: null });
    }

    const itemParts = find("template[data-meshkb-parts]").content;

    /** A live item's controls; its flags and reason and owner fields come from the template the first time. */
    function partsOf(view) {
      const element = view.element;
      if (!view.parts) {
        const parts = itemParts.cloneNode(true);
        for (const span of parts.querySelectorAll("[data-meshkb-for-item]")) span.textContent = " for " + view.item.id;
        find(".meshkb-row", element).after(parts);
      }
      view.parts ||= {
        radios: findAll(".meshkb-states input", element),
        inputs: Object.fromEntries(findAll("[data-k]", element).map((input) => [input.dataset.k, input])),
        flags: Object.fromEntries(findAll("[data-flag]", element).map((flag) => [flag.dataset.flag, flag])),
        evidence: find("[data-meshkb-evidence]", element),
      };
      return view.parts;
    }

    let fields = core.freshFields();
    let answers = new Map();
    let messageTimer = 0;

    /** A message in the status box; it clears itself unless it offers a reset or is an error. */
    function say(text, { offerReset = false, keep = false } = {}) {
      clearTimeout(messageTimer);
      messageBox.textContent = text;
      messageBox.parentNode.classList.toggle("meshkb-shown-message", Boolean(text));
      find("[data-meshkb-offer]").hidden = !offerReset;
      if (text && !offerReset && !keep) messageTimer = setTimeout(() => say(""), 8000);
    }

    // state: storage, share links, reports

    const pageState = () => core.pageState(checklist, fields, answers);

    /** Saved or shared page state read back as [fields, answers]; a dropped answer is said. */
    function readPageState(data, what) {
      const read = core.readPageState(checklist, data);
      if (read.bad.length) say(`${read.bad.length} ${what} answer(s) could not be read and are ignored.`, { offerReset: true });
      return [read.fields, read.answers];
    }

    const savedSign = find("[data-meshkb-saved]");
    function save() {
      try {
        localStorage.setItem(storageKey, JSON.stringify(pageState()));
        const time = new Date().toTimeString().slice(0, 5);
        savedSign.textContent = `Saved in this browser ${time}`;
        savedSign.dataset.meshkbSaved = "yes";
      } catch (error) {
        const why = error.name === "QuotaExceededError"
          ? ": the browser's storage is full (QuotaExceededError)"
          : ` (${error.name})`;
        savedSign.textContent = "Not saved";
        savedSign.dataset.meshkbSaved = "no";
        say(`Your answers could not be saved${why}. Export them to keep them.`, { keep: true });
      }
    }

    const currentReport = () => core.reviewReport(checklist, fields, answers);
    const applies = (item) => core.applies(fields, item);

    // showing

    // Writing only changed text keeps the aria-live region from repeating itself,
    // and a long page from restyling rows that did not change.
    const setText = (node, text) => {
      if (node.textContent !== text) node.textContent = text;
    };

    function showItem(view) {
      const { element, item } = view;
      const answer = answers.get(item.id);
      const state = answer ? answer.state : "open";
      const said = answer
        ? ["reason", "owner", "note"].map((key) => (answer[key] ? `; ${key}: ${core.oneLine(answer[key])}` : "")).join("")
        : "";
      if (!core.isLive(item)) {
        setText(view.answer, answer ? `Answer kept from an earlier review: ${label(state)}${said}` : "");
        return;
      }
      const missing = answer ? core.missingField(answer) : "";
      const classes = "meshkb-item meshkb-s-" + state + (missing ? " meshkb-incomplete" : "") + (applies(item) ? "" : " meshkb-notfor");
      if (view.shown !== classes) element.className = view.shown = classes;
      setText(view.answer, `State: ${label(state)}${said}`);
      // Never answered: its controls are as served.
      if (!answer && !view.parts && applies(item)) return;
      const parts = partsOf(view);
      for (const radio of parts.radios) radio.checked = radio.value === state;
      for (const key of ["note", "reason", "owner"]) {
        const input = parts.inputs[key];
        const value = answer ? answer[key] : "";
        const needed = key === "reason" ? state === "na" || state === "waived" : key === "owner" && state === "waived";
        if (input.value !== value) input.value = value; // keeps the caret where it is
        if (key !== "note") input.parentNode.hidden = !needed && !value;
        input.setAttribute("aria-invalid", String(needed && !core.strip(value)));
      }
      const flags = {
        notfor: !applies(item) && "Not for " + [fields.mesh, fields.dataplane].filter(Boolean).join(" "),
        rev: answer && answer.rev !== item.rev && `Re-verify: answered for rev ${answer.rev}; the item is now rev ${item.rev}.`,
        probe: answer && answer.prefilled && true, // its text is in the template
        lacks: missing && `${answer.id} ${missing}: it does not count as done until filled in.`,
      };
      for (const [name, text] of Object.entries(flags)) {
        const flag = parts.flags[name];
        flag.hidden = !text;
        if (typeof text === "string") flag.firstChild.textContent = text;
      }
      const evidence = answer ? answer.evidence : [];
      if (evidence.length || parts.evidence.children.length) {
        parts.evidence.replaceChildren(...evidence.map((entry) => {
          const line = document.createElement("li");
          line.textContent = `${entry.source === "probe" ? contract.fields["evidence (probe)"] : contract.fields.evidence}: ${entry.text}`;
          return line;
        }));
        parts.evidence.hidden = !evidence.length;
      }
    }

    function showStatus() {
      const report = core.countedReport(checklist, currentReport());
      const result = core.score(checklist, report);
      const states = core.effectiveStates(checklist, report.answers);
      for (const progress of result.progress) {
        const row = find(`[data-meshkb-progress=${progress.severity}]`);
        setText(find("[data-meshkb-count=done]", row), `${progress.done} of ${progress.total}`);
        for (const state of ["open", "fail", "na", "waived"]) {
          setText(find(`[data-meshkb-count=${state}]`, row), String(progress.counts[state]));
        }
        const all = progress.total || 1;
        for (const state of ["pass", "waived", "fail"]) {
          find(`[data-meshkb-meter=${state}]`, row).style.width = `${(100 * progress.counts[state]) / all}%`;
        }
      }
      const gate = find("[data-meshkb-gate]");
      gate.dataset.meshkbGate = result.gate ? "pass" : "fail";
      setText(find("[data-meshkb-gate-label]", gate), result.gate ? "passed" : "not passed");
      const many = result.blocking.length > 6;
      setText(find("[data-meshkb-gate-text]"), many
        ? `not passed — ${result.blocking.length} blockers are open or failed: ${result.blocking.slice(0, 4).join(", ")} and ${result.blocking.length - 4} more.`
        : core.gateText(result));
      for (const outcome of result.outcomes) {
        // The `otherwise` of an outcome is no answer while items it reads are still open.
        const chosenByRule = checklist.outcomes.find((o) => o.id === outcome.id).rules.some((rule) => rule.result === outcome.result);
        const waiting = outcomeItems.get(outcome.id).filter((id) => states.get(id) === "open");
        const undecided = !chosenByRule && waiting.length > 0;
        const shown = undecided ? "Undecided" : outcome.label;
        const reason = undecided
          ? `Answer the ${waiting.length} open item(s) it depends on: ${waiting.join(", ")}.`
          : core.oneLine(outcome.reason);
        const element = find(`[data-meshkb-outcome="${outcome.id}"]`);
        element.dataset.meshkbResult = undecided ? "undecided" : outcome.result;
        setText(find("[data-meshkb-label]", element), shown);
        setText(find("[data-meshkb-reason]", element), reason);
        const badge = find(`[data-meshkb-badge="${outcome.id}"]`);
        badge.dataset.meshkbResult = element.dataset.meshkbResult;
        setText(find("[data-meshkb-badge-label]", badge), shown);
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
      const stateMatches = (item, answer) => {
        if (wanted === "reverify") return answer && answer.rev !== item.rev;
        const state = answer && !core.missingField(answer) ? answer.state : "open";
        return wanted === "done" ? contract.doneStates.has(state) : state === wanted;
      };
      let shown = 0;
      for (const { element, item } of views.values()) {
        const answer = answers.get(item.id);
        // Tombstones show only when no filter is set.
        const hidden = core.isLive(item)
          ? !((!severity || item.severity === severity) && (!wanted || stateMatches(item, answer)))
          : Boolean(severity || wanted);
        if (element.hidden !== hidden) element.hidden = hidden;
        if (!hidden && core.isLive(item)) shown++;
      }
      for (const section of findAll("[data-meshkb-section]")) {
        section.hidden = !find("[data-meshkb-item]:not([hidden])", section);
      }
      find("[data-meshkb-shown]").textContent = severity || wanted
        ? `Showing ${shown} of ${liveItems.length} items`
        : `${liveItems.length} items`;
      find("[data-meshkb-clear]").hidden = !(severity || wanted);
      find("[data-meshkb-empty]").hidden = shown > 0;
    }

    function showFields() {
      for (const input of findAll("[data-meshkb-field]")) {
        input.value = [].concat(fields[input.dataset.meshkbField]).join(", ");
        if (input.dataset.meshkbField === "date") input.setAttribute("aria-invalid", String(!core.isIsoDate(input.value)));
      }
      for (const key of ["system", "date", "reviewers", "mesh"]) {
        const value = [].concat(fields[key]).join(", ");
        const shown = key === "mesh" && fields.dataplane ? `${value || "—"} (${fields.dataplane})` : value;
        find(`[data-meshkb-print=${key}]`).textContent = shown || "—";
      }
    }

    function showAll() {
      showFields();
      // The per-mesh "how" opens on the mesh chosen (here, not in showFields: typing a
      // system name must not undo the tab a reader picked).
      if (fields.mesh) for (const tab of findAll(`[data-meshkb-tab="${fields.mesh}"]`)) tab.checked = true;
      views.forEach(showItem);
      showStatus();
      applyFilters();
    }

    // changing

    function updateAnswer(id, change) {
      const item = itemById.get(id);
      const answer = { ...(answers.get(id) || core.blankAnswer(item)), automatic: false };
      change(answer, item);
      answers.set(id, answer);
      save();
      showItem(views.get(id));
      showStatus();
    }

    function replaceAnswers([newFields, newAnswers], what, missing = []) {
      const hasWork = [...answers.values()].some((answer) => !core.isUntouched(answer));
      if (hasWork && !confirm(`Replace the answers on this page with those from ${what}?`)) return;
      fields = newFields;
      answers = newAnswers;
      save();
      showAll();
      say(`Loaded ${newAnswers.size} answer(s) from ${what}.`
        + (missing.length ? ` Not in the file, so open: ${missing.join(", ")}.` : ""));
    }

    function setField(input, key) {
      if (key === "date") {
        const valid = core.isIsoDate(input.value);
        input.setAttribute("aria-invalid", String(!valid));
        if (!valid) return; // the last valid date stays in the report
      }
      fields[key] = key === "reviewers" ? input.value.split(",").map(core.strip).filter(Boolean) : input.value;
      if (key === "mesh" || key === "dataplane") {
        core.applyScope(checklist, fields, answers);
        showAll();
      } else {
        showFields();
      }
      save();
    }

    function setFilters(severity, state) {
      find("[data-meshkb-filter=severity]").value = severity;
      find("[data-meshkb-filter=state]").value = state;
      applyFilters();
    }

    function reset() {
      if (!confirm(`Reset all answers to “${checklist.title}” in this browser?`)) return;
      fields = core.freshFields();
      answers = new Map();
      try {
        localStorage.removeItem(storageKey);
      } catch {
        // nothing was saved
      }
      savedSign.textContent = "Not saved yet";
      showAll();
      say("All answers were reset.");
    }

    // wiring: the toolbar's actions are in meshkb-bar.js

    core.toolbar({
      root, checklist, find, liveItems, say, currentReport, pageState, replaceAnswers, setFilters, reset,
      answers: () => answers,
    });

    root.addEventListener("change", ({ target }) => {
      const element = target.closest("[data-meshkb-item]");
      if (target.dataset.meshkbFilter) applyFilters();
      else if (target.dataset.meshkbField) setField(target, target.dataset.meshkbField);
      else if (element && target.type === "radio" && target.closest(".meshkb-states")) {
        const state = target.value;
        updateAnswer(element.dataset.meshkbItem, (answer, item) => Object.assign(answer, { state, rev: item.rev, prefilled: false }));
        if (state === "na" || state === "waived") {
          const { reason } = partsOf(views.get(element.dataset.meshkbItem)).inputs;
          if (!core.strip(reason.value)) reason.placeholder = state === "na" ? "Why it does not apply (needed)" : "Why it is waived (needed)";
        }
      }
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
      if (button.dataset.meshkbShow !== undefined) {
        const [severity, state] = button.dataset.meshkbShow.split(" ");
        setFilters(severity, state || "");
        find(".meshkb-section:not([hidden])")?.scrollIntoView({ block: "start" });
      } else if (button.value === "fix") {
        // "Still holds" and "Confirm": the answer stands for the current rev, by a person.
        updateAnswer(button.closest("[data-meshkb-item]").dataset.meshkbItem, (answer, item) =>
          Object.assign(answer, { rev: item.rev, prefilled: false }));
      }
    });

    try {
      const raw = localStorage.getItem(storageKey);
      if (raw !== null) {
        [fields, answers] = readPageState(JSON.parse(raw), "saved");
        savedSign.textContent = "Saved in this browser";
        savedSign.dataset.meshkbSaved = "yes";
      }
    } catch (error) {
      const denied = error.name === "SecurityError";
      say(denied ? "This browser cannot keep answers: export them." : "Saved answers could not be read; the page starts empty.", { offerReset: !denied, keep: true });
    }
    for (const input of findAll("input:disabled, select:disabled, textarea:disabled", root)) input.disabled = false;
    find("[data-meshkb-nojs]").hidden = true;
    root.dataset.meshkbReady = "1";
    showAll();
    if (location.hash.startsWith("#meshkb=")) {
      try {
        const shared = JSON.parse(decodeURIComponent(location.hash.slice("#meshkb=".length)));
        replaceAnswers(readPageState(shared, "shared"), "the share link");
      } catch {
        say("The share link could not be read; your answers are unchanged.", { keep: true });
      }
      // The answers are in storage now; the link stays out of history and bookmarks.
      history.replaceState(history.state, "", location.pathname + location.search);
    }
    highlight(root);
    performance.mark("meshkb-ready");
  }

  /** The item a /go/ID link or a #ID anchor points at: marked, and its details open. */
  function highlight(root) {
    const id = decodeURIComponent(location.hash.slice(1));
    for (const old of root.querySelectorAll("[data-meshkb-target]")) delete old.dataset.meshkbTarget;
    const view = id && root.querySelector(`[data-meshkb-item="${CSS.escape(id)}"]`);
    if (!view) return;
    view.dataset.meshkbTarget = "";
    const details = view.querySelector("details");
    if (details) details.open = true;
  }

  /** Enhance every checklist on the page (again after each instant navigation). */
  function start() {
    document.querySelectorAll("[data-meshkb]").forEach(init);
  }

  if (!core || !core.contractOf || !core.toolbar) {
    console.error("meshkb: meshkb-bar.js and meshkb-core.js must load before meshkb-page.js");
    return;
  }
  core.start = start;
  addEventListener("hashchange", () => document.querySelectorAll("[data-meshkb]").forEach(highlight));
  if (globalThis.document$) globalThis.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
