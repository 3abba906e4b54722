/* meshkb checklist pages. Scoring and reports mirror meshkb/score.py and
   meshkb/report.py byte for byte; tests/vectors and the browser tests hold them together. */
(() => {
  "use strict";
  const SEV = ["blocker", "required", "recommended", "optional"];
  const STATES = ["open", "pass", "fail", "na", "waived"];
  const LABEL = { open: "Open", pass: "Pass", fail: "Fail", na: "N/A", waived: "Waived" };
  const DONE = ["pass", "na", "waived"];
  const FMT = "meshkb/report/v1", PAGE = "meshkb/page/v1", PROBE = "(probe: confirm)";
  // Python's whitespace for str.split()/strip(), so texts match report.py.
  const W = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  const WS = RegExp(W + "+"), LEAD = RegExp("^" + W + "+"), TRAIL = RegExp(W + "+$");
  const rstrip = (s) => s.replace(TRAIL, "");
  const strip = (s) => rstrip(s.replace(LEAD, ""));
  const oneLine = (s) => s.split(WS).filter(Boolean).join(" ");
  const q = (s) => JSON.stringify(s).replace(/[\x7f-\x9f\u2028\u2029\ufffe\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  const byId = (list) => new Map(list.map((x) => [x.id, x]));
  const itemsOf = (cl) => cl.sections.flatMap((s) => s.items);
  const isLive = (it) => it.status !== "retired";
  const blank = (it) => ({ id: it.id, rev: it.rev, state: "open", note: "", reason: "", owner: "", evidence: [], prefilled: false });
  const fail = (m) => { throw Error(m); };
  const lacks = (a) => (a.state === "na" && !strip(a.reason) ? "is n/a but has no Reason"
    : a.state === "waived" && !(strip(a.reason) && strip(a.owner)) ? "is waived but lacks an Owner and a Reason" : "");

  function holds(c, st) {
    if (c.all) return c.all.every((x) => holds(x, st));
    if (c.any) return c.any.some((x) => holds(x, st));
    if (c.not) return !holds(c.not, st);
    const want = [].concat(c.state), is = (id) => want.includes(st.get(id) || "open");
    if (c.item) return is(c.item);
    const n = c.count.filter(is).length;
    return !(n < c.at_least) && !(n > c.at_most);
  }

  function score(cl, r) {
    const by = byId(r.answers), live = itemsOf(cl).filter(isLive), lb = byId(live), st = new Map();
    for (const it of live) {
      const a = by.get(it.id);
      st.set(it.id, !a || a.rev !== it.rev || a.prefilled ? "open" : a.state);
    }
    const progress = [];
    for (const severity of SEV) {
      const of = live.filter((it) => it.severity === severity), counts = { open: 0, pass: 0, fail: 0, na: 0, waived: 0 };
      for (const it of of) counts[st.get(it.id)]++;
      if (of.length) progress.push({ severity, done: counts.pass + counts.waived, total: of.length - counts.na, counts });
    }
    const blocking = live.filter((it) => it.severity === "blocker" && /^(open|fail)$/.test(st.get(it.id))).map((it) => it.id);
    const answered = (f) => r.answers.filter((a) => lb.has(a.id) && f(a, lb.get(a.id))).map((a) => a.id);
    return {
      progress, gate: !blocking.length, blocking,
      outcomes: cl.outcomes.map((o) => {
        const w = o.rules.find((x) => holds(x.when, st)) || o.otherwise;
        return { id: o.id, title: o.title, result: w.result, label: w.label, reason: w.reason };
      }),
      reverify: answered((a, it) => a.rev !== it.rev),
      unconfirmed: answered((a, it) => a.prefilled && a.rev === it.rev),
    };
  }

  const gate = (s) => (s.gate ? "passed — no blocker is open or failed." : `not passed — open or failed blockers: ${s.blocking.join(", ")}.`);

  function normalize(cl, r) {
    const by = byId(r.answers), all = itemsOf(cl);
    const answers = all.filter(isLive).map((it) => by.get(it.id) || blank(it));
    return { ...r, answers: answers.concat(all.filter((it) => !isLive(it) && by.has(it.id)).map((it) => by.get(it.id))) };
  }

  function cleanBlock(text) {
    const l = text.replace(/\r\n?/g, "\n").split("\n").map(rstrip);
    while (l.length && !l[0]) l.shift();
    while (l.length && !l[l.length - 1]) l.pop();
    if (l.length) l[0] = strip(l[0]);
    return l;
  }

  function field(name, text) {
    const [first, ...rest] = cleanBlock(text);
    return first === undefined ? [`  - ${name}:`] : [`  - ${name}: ${first}`, ...rest.map((x) => x && "    " + x)];
  }

  function itemLines(it, a, cur) {
    const live = isLive(it), out = [`- [${DONE.includes(a.state) ? "x" : " "}] **${it.id}** ${oneLine(it.title)} *(${live ? it.severity : "retired"}, rev ${a.rev})*`];
    if (!live) out.push("  > Retired: " + (it.replaced_by ? "replaced by " + it.replaced_by : oneLine(it.reason)));
    else {
      if (a.rev !== cur) out.push(`  > Re-verify: answered for rev ${a.rev}; the item is now rev ${cur}.`);
      for (const x of cleanBlock(it.check)) out.push(x ? "  > " + x : "  >");
    }
    out.push(`  - State: ${a.state}${a.prefilled ? " " + PROBE : ""}`);
    if (strip(a.reason) || a.state === "na" || a.state === "waived") out.push(...field("Reason", a.reason));
    if (strip(a.owner) || a.state === "waived") out.push(...field("Owner", a.owner));
    for (const e of a.evidence) out.push(`  - Evidence${e.source === "probe" ? " (probe)" : ""}: ${oneLine(e.text)}`);
    return out.concat(field("Note", a.note));
  }

  function toMarkdown(cl, r) {
    r = normalize(cl, r);
    const by = byId(r.answers), s = score(cl, r);
    const l = ["---", "format: " + FMT, "checklist: " + r.checklist, ...["checklist_version", "system", "mesh", "dataplane", "date"].map((k) => `${k}: ${q(r[k])}`),
      `reviewers: [${r.reviewers.map(q).join(", ")}]`, "---", "", "# " + cl.title + (strip(r.system) ? ": " + oneLine(r.system) : ""), "", cl.help, "",
      "| Severity | Done | Open | Failed | N/A | Waived |", "|---|---|---|---|---|---|"];
    for (const { severity, done, total, counts: c } of s.progress) l.push(`| ${severity} | ${done} of ${total} | ${c.open} | ${c.fail} | ${c.na} | ${c.waived} |`);
    l.push("", "- **Gate:** " + gate(s));
    for (const o of s.outcomes) l.push(`- **${oneLine(o.title)}:** ${oneLine(o.label)} — ${oneLine(o.reason)}`);
    if (s.reverify.length) l.push(`- **Re-verify:** ${s.reverify.join(", ")} (the item changed since it was answered).`);
    if (s.unconfirmed.length) l.push(`- **Confirm:** ${s.unconfirmed.join(", ")} (set by a probe; a person must confirm).`);
    cl.sections.forEach((sec, i) => {
      const live = sec.items.filter(isLive);
      if (live.length) l.push("", `## ${i + 1}. ${oneLine(sec.title)}`, "");
      for (const it of live) l.push(...itemLines(it, by.get(it.id), it.rev));
    });
    const gone = itemsOf(cl).filter((it) => !isLive(it) && by.has(it.id));
    if (gone.length) l.push("", "## Retired items", "");
    for (const it of gone) l.push(...itemLines(it, by.get(it.id)));
    return l.join("\n") + "\n";
  }

  function toJSON(cl, r) {
    r = normalize(cl, r);
    const { checklist, checklist_version, system, mesh, dataplane, date, reviewers } = r;
    return JSON.stringify({
      format: FMT, checklist, checklist_version, system, mesh, dataplane, date, reviewers,
      answers: r.answers.map(({ id, rev, state, note, reason, owner, evidence, prefilled }) => ({
        id, rev, state, note, reason, owner, evidence: evidence.map(({ source, text }) => ({ source, text })), prefilled })),
    }, null, 2) + "\n";
  }

  // Anything read back (storage, share links, report files) is untrusted: check every field.
  const isStr = (x) => typeof x === "string";
  function cleanAnswer(a) {
    const ok = a && /^[A-Z]{3}-[0-9]{4}$/.test(a.id) && Number.isInteger(a.rev) && a.rev > 0 && STATES.includes(a.state)
      && [a.note, a.reason, a.owner].every(isStr) && typeof a.prefilled === "boolean" && Array.isArray(a.evidence)
      && a.evidence.every((e) => e && /^(person|probe)$/.test(e.source) && isStr(e.text) && e.text);
    return ok && { ...blank(a), ...a, evidence: a.evidence.map(({ source, text }) => ({ source, text })), auto: a.auto === true };
  }
  function cleanReport(cl, d, at) {
    const ok = d && isStr(d.system) && /^(istio|linkerd|cilium|)$/.test(d.mesh) && /^(sidecar|ambient|node-proxy|)$/.test(d.dataplane)
      && /^([0-9]{4}-[0-9]{2}-[0-9]{2})?$/.test(d.date) && Array.isArray(d.reviewers) && d.reviewers.every((x) => isStr(x) && x);
    if (d.format !== FMT && d.format !== undefined) fail(at + "not a " + FMT + " report");
    if (d.checklist !== cl.id) fail(`${at}the report is for checklist '${d.checklist}', not '${cl.id}'`);
    if (!/^[0-9]+\.[0-9]+\.[0-9]+$/.test(d.checklist_version)) fail(at + "checklist_version is not x.y.z");
    if (!ok || !Array.isArray(d.answers)) fail(at + "system, mesh, dataplane, date, reviewers or answers are not valid");
    const known = byId(itemsOf(cl)), seen = new Set();
    const answers = d.answers.map((raw, i) => {
      const a = cleanAnswer(raw) || fail(`${at}answer ${i + 1} is not valid`);
      const bad = !known.has(a.id) ? "is not in this checklist" : seen.has(a.id) ? "appears twice" : lacks(a);
      if (bad) fail(`${at}${a.id} ${bad}`);
      seen.add(a.id);
      return a;
    });
    const { checklist_version, system, mesh, dataplane, date, reviewers } = d;
    return { checklist: cl.id, checklist_version, system, mesh, dataplane, date, reviewers, answers };
  }

  const ITEM_RE = /^ {0,3}[-*+][ \t]+\[([ xX])\][ \t]+\**([A-Z]{3}-[0-9]{4})\**([^\n]*)$/;
  const FIELD_RE = /^ {1,3}[-*+][ \t]+([A-Za-z][A-Za-z ]*?(?: \((?:probe|person)\))?):[ \t]*([^\n]*)$/;
  const ALIAS = { "n/a": "na", passed: "pass", failed: "fail", waive: "waived", todo: "open" };
  const FRONT = ["format", "checklist", "checklist_version", "system", "mesh", "dataplane", "date", "reviewers"];

  function scalar(v) {
    v = strip(v);
    if (!v || v === "~") return null;
    try { return JSON.parse(v); } catch { /* not JSON: YAML plain, single-quoted or flow forms */ }
    if (v[0] === "[") return v.slice(1, -1).split(",").map(scalar).filter((x) => x !== "");
    return v[0] === "'" ? v.slice(1, -1).replace(/''/g, "'") : v;
  }

  function parseAnswer(id, rev, ticked, body, at) {
    const f = {}, evidence = [];
    let cur = null;
    for (const [n, line] of body) {
      const m = FIELD_RE.exec(line), key = m ? strip(m[1]).toLowerCase() : "";
      if (/^(state|note|reason|owner|evidence( \((probe|person)\))?)$/.test(key)) {
        cur = null;
        if (key.startsWith("evidence")) evidence.push({ source: key.includes("probe") ? "probe" : "person", text: strip(m[2]) });
        else if (f[key]) fail(`${at(n)}${id}: ${key[0].toUpperCase() + key.slice(1)} is given twice`);
        else f[key] = { n, lines: [strip(m[2])] };
        if (/note|reason|owner/.test(key)) cur = f[key].lines;
      } else if (cur) cur.push(strip(line) ? line.slice(Math.min(line.length - line.replace(/^ +/, "").length, 4)) : "");
      else if (m) fail(`${at(n)}${id}: unknown field '${m[1]}'`);
    }
    const raw = f.state ? f.state.lines[0] : "open", w = strip(raw.split(PROBE).join("")).toLowerCase();
    let state = Object.hasOwn(ALIAS, w) ? ALIAS[w] : w;
    if (!STATES.includes(state)) fail(`${at(f.state.n)}unknown state '${raw}'`);
    if (ticked && state === "open") state = "pass";
    else if (ticked && state === "fail") fail(`${at()}${id}: box ticked but State is fail`);
    else if (!ticked && DONE.includes(state)) fail(`${at()}${id}: State is ${state} but the box is not ticked`);
    const text = (k) => (f[k] ? cleanBlock(f[k].lines.join("\n")).join("\n") : "");
    const a = { id, rev, state, note: text("note"), reason: text("reason"), owner: text("owner"), evidence, prefilled: raw.includes(PROBE) };
    return lacks(a) ? fail(`${at(f.state && f.state.n)}${id} ${lacks(a)}`) : a;
  }

  function parseMarkdown(cl, text, file) {
    const lines = text.replace(/\r\n?/g, "\n").replace(/^\ufeff+/, "").split("\n"), known = byId(itemsOf(cl));
    const answers = new Map(), problems = [], d = {}, at = (n) => `${file}:${n + 1}:1: `;
    let i = 0, last;
    while (i < lines.length && !strip(lines[i])) i++;
    const open = i;
    if (strip(lines[i] || "") !== "---") fail(at(i) + "no '---' front matter naming the checklist");
    for (i++; i < lines.length && !/^(---|\.\.\.)$/.test(strip(lines[i])); i++) {
      const line = lines[i], m = /^([A-Za-z_]+):([^\n]*)$/.exec(line), li = /^\s*- ([^\n]*)$/.exec(line);
      if (m && !FRONT.includes(m[1])) fail(`${at(i)}unknown front-matter field '${m[1]}'`);
      if (m) d[last = m[1]] = scalar(m[2]);
      else if (li && last && (d[last] === null || Array.isArray(d[last]))) (d[last] = d[last] || []).push(scalar(li[1]));
      else if (strip(line) && !/^\s*#/.test(line)) fail(at(i) + "unreadable front matter");
    }
    if (i++ >= lines.length) fail(at(open) + "front matter not closed with '---'");
    if (isStr(d.reviewers)) d.reviewers = d.reviewers.split(",").map(strip).filter(Boolean);
    for (const k of FRONT.slice(2, 7)) d[k] = d[k] == null ? "" : String(d[k]);
    d.reviewers = [].concat(d.reviewers || []).map(String);
    const r = { ...cleanReport(cl, { ...d, answers: [] }, at(open)), answers: [] };
    while (i < lines.length) {
      const m = ITEM_RE.exec(lines[i]), s = i++, body = [];
      if (!m) continue;
      while (i < lines.length && (!strip(lines[i]) || /^[ \t]/.test(lines[i]))) {
        if (!strip(lines[i]) && !/^[ \t]/.test(lines[i + 1] || "")) break;
        body.push([i, lines[i++]]);
      }
      const id = m[2], rev = /\brev ([0-9]+)\b/.exec(m[3]);
      try {
        if (!known.has(id)) fail(`${at(s)}${id} is not in this checklist`);
        if (answers.has(id)) fail(`${at(s)}${id} appears twice`);
        answers.set(id, parseAnswer(id, rev ? +rev[1] : known.get(id).rev, m[1] !== " ", body, (n = s) => at(n)));
      } catch (e) { problems.push(e.message); }
    }
    if (problems.length) fail(problems.join("\n"));
    r.answers = [...answers.values()];
    return r;
  }

  function parseReport(cl, text, file) {
    if (!/\.json$/i.test(file) && (/\.(md|markdown)$/i.test(file) || !/^[\ufeff\s]*\{/.test(text))) return parseMarkdown(cl, text, file);
    let d;
    try { d = JSON.parse(text.replace(/^\ufeff/, "")); } catch (e) { fail(`${file}: not valid JSON: ${e.message}`); }
    return cleanReport(cl, d || fail(file + ": not a report"), file + ": ");
  }

  const today = () => new Date(Date.now() - new Date().getTimezoneOffset() * 6e4).toISOString().slice(0, 10);

  function init(root) {
    if (root.dataset.meshkbReady) return;
    root.dataset.meshkbReady = 1;
    const $ = (sel, el = root) => el.querySelector(sel), $$ = (sel, el = root) => [...el.querySelectorAll(sel)];
    const el = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
    const cl = JSON.parse($("script").textContent)[0], KEY = "meshkb:" + cl.id;
    const known = byId(itemsOf(cl)), live = itemsOf(cl).filter(isLive), box = $("[data-meshkb-message]");
    const pick = ({ system, mesh, dataplane, date, reviewers }) => ({ system, mesh, dataplane, date, reviewers });
    const fresh = () => ({ system: "", mesh: "", dataplane: "", date: today(), reviewers: [] });
    let fields = fresh(), ans = new Map();

    function say(text, offerReset) {
      box.textContent = text;
      $("[data-meshkb-offer]").hidden = !offerReset;
    }
    // The page's own state: {format, checklist, fields, answers: {ID: answer}}. Bad answers are dropped, not fatal.
    function readState(d, what) {
      if (!d || d.format !== PAGE || d.checklist !== cl.id || typeof d.answers !== "object") fail("foreign");
      const f = cleanReport(cl, { ...fresh(), ...d.fields, format: FMT, checklist: cl.id, checklist_version: "0.0.0", answers: [] }, "");
      const m = new Map(), bad = [];
      for (const [id, a] of Object.entries(d.answers || {})) {
        const c = cleanAnswer({ ...a, id });
        c ? m.set(id, c) : bad.push(id);
      }
      if (bad.length) say(`${bad.length} ${what} answer(s) could not be read and are ignored.`, true);
      return [pick(f), m];
    }
    function save() {
      try {
        localStorage.setItem(KEY, JSON.stringify({ format: PAGE, checklist: cl.id, fields, answers: Object.fromEntries(ans) }));
      } catch (e) {
        say(`Your answers could not be saved${e.name === "QuotaExceededError" ? ": the browser's storage is full (QuotaExceededError)" : ` (${e.name})`}. Export them to keep them.`);
      }
    }
    const report = () => ({ checklist: cl.id, checklist_version: cl.version, ...fields, answers: [...ans.values()].map(({ auto, ...a }) => a) });
    const applies = (it) => [["mesh", fields.mesh], ["dataplane", fields.dataplane]].every(([k, v]) => !v || !it[k].length || it[k].includes(v));
    const isBlank = (a) => a.state === "open" && !(a.note || a.reason || a.owner || a.evidence.length || a.prefilled);

    // Like report.new_report: items for another mesh or data plane start as n/a.
    function scope() {
      const chosen = fields.mesh && fields.dataplane ? `${fields.mesh} (${fields.dataplane})` : fields.mesh || fields.dataplane;
      for (const it of live) {
        const a = ans.get(it.id);
        if (a && (a.auto || isBlank(a))) ans.delete(it.id);
        if (!ans.has(it.id) && !applies(it)) ans.set(it.id, { ...blank(it), state: "na", reason: `Applies only to ${it.applies}; this system runs ${chosen}.`, auto: true });
      }
    }

    function showItem(li) {
      const it = known.get(li.dataset.meshkbItem), a = ans.get(it.id), st = a ? a.state : "open", out = $("[data-meshkb-answer]", li);
      const said = a ? ["reason", "owner", "note"].map((k) => (a[k] ? `; ${k}: ${oneLine(a[k])}` : "")).join("") : "";
      if (!isLive(it)) return void (out.textContent = a ? `Answer kept from an earlier review: ${LABEL[st]}${said}` : "");
      li.className = li.className.replace(/ meshkb-(s-\w+|notfor)/g, "") + " meshkb-s-" + st + (applies(it) ? "" : " meshkb-notfor");
      $("[type=checkbox]", li).checked = DONE.includes(st);
      for (const r of $$("[type=radio]", li)) r.checked = r.value === st;
      for (const k of ["note", "reason", "owner"]) {
        const input = $(`[data-k=${k}]`, li), v = a ? a[k] : "", need = k === "reason" ? /na|waived/.test(st) : k === "owner" && st === "waived";
        if (input.value !== v) input.value = v;
        input.parentNode.hidden = k !== "note" && !need && !v;
        input.setAttribute("aria-invalid", need && !strip(v));
      }
      const flags = {
        notfor: !applies(it) && "Not for " + [fields.mesh, fields.dataplane].filter(Boolean).join(" "),
        rev: a && a.rev !== it.rev && `Re-verify: answered for rev ${a.rev}; the item is now rev ${it.rev}.`,
        probe: a && a.prefilled && " ",
        lacks: a && lacks(a) && `${a.id} ${lacks(a)}.`,
      };
      for (const [k, v] of Object.entries(flags)) {
        const f = $(`[data-flag=${k}]`, li);
        f.hidden = !v;
        if (v > " ") f.firstChild.textContent = v;
      }
      const ev = $("[data-meshkb-evidence]", li);
      ev.replaceChildren(...(a ? a.evidence : []).map((e) => el("li", `Evidence${e.source === "probe" ? " (probe)" : ""}: ${e.text}`)));
      ev.hidden = !ev.children.length;
      out.textContent = `State: ${LABEL[st]}${said}`;
    }

    function showStatus() {
      const s = score(cl, normalize(cl, report()));
      const set = (node, t) => { if (node.textContent !== t) node.textContent = t; };
      for (const p of s.progress) {
        const row = $(`[data-meshkb-progress=${p.severity}]`);
        set($("[data-meshkb-count=done]", row), `${p.done} of ${p.total}`);
        for (const k of ["open", "fail", "na", "waived"]) set($(`[data-meshkb-count=${k}]`, row), "" + p.counts[k]);
      }
      $("[data-meshkb-gate]").dataset.meshkbGate = s.gate ? "pass" : "fail";
      set($("[data-meshkb-gate-text]"), gate(s));
      for (const o of s.outcomes) {
        const li = $(`[data-meshkb-outcome="${o.id}"]`);
        li.dataset.meshkbResult = o.result;
        set($("[data-meshkb-label]", li), o.label);
        set($("[data-meshkb-reason]", li), oneLine(o.reason));
      }
      const kept = [...ans.values()].filter((a) => !known.has(a.id)), k = $("[data-meshkb-kept]");
      k.hidden = !kept.length;
      set(k, "Answers kept for items no longer in this checklist: " + kept.map((a) => `${a.id} (${LABEL[a.state]})`).join(", "));
    }

    function filter() {
      const sev = $("[data-meshkb-filter=severity]").value, want = $("[data-meshkb-filter=state]").value;
      let shown = 0;
      for (const li of $$("[data-meshkb-item]")) {
        const it = known.get(li.dataset.meshkbItem), a = ans.get(it.id);
        li.hidden = !(isLive(it) ? (!sev || it.severity === sev) && (!want || (want === "reverify" ? a && a.rev !== it.rev : (a ? a.state : "open") === want)) : !sev && !want);
        shown += !li.hidden && isLive(it);
      }
      for (const s of $$("[data-meshkb-section]")) s.hidden = !$("[data-meshkb-item]:not([hidden])", s);
      $("[data-meshkb-shown]").textContent = `Showing ${shown} of ${live.length} items`;
    }

    function showAll() {
      for (const f of $$("[data-meshkb-field]")) f.value = [].concat(fields[f.dataset.meshkbField]).join(", ");
      $$("[data-meshkb-item]").forEach(showItem);
      showStatus();
      filter();
    }

    function update(id, change) {
      const it = known.get(id), a = { ...(ans.get(id) || blank(it)), auto: false };
      change(a, it);
      ans.set(id, a);
      save();
      showItem($(`[data-meshkb-item="${id}"]`));
      showStatus();
    }

    function replaceWith([f, m], what) {
      if ([...ans.values()].some((a) => !isBlank(a)) && !confirm(`Replace the answers on this page with those from ${what}?`)) return;
      [fields, ans] = [f, m];
      save();
      showAll();
      say(`Loaded ${m.size} answer(s) from ${what}.`);
    }

    function download(ext, text) {
      const a = document.createElement("a"), bad = live.filter((it) => ans.has(it.id) && lacks(ans.get(it.id))).map((it) => it.id);
      a.href = URL.createObjectURL(new Blob([text], { type: ext === "md" ? "text/markdown" : "application/json" }));
      a.download = `${cl.id}-review.${ext}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1e4);
      say(`Exported ${a.download}.` + (bad.length ? ` ${bad.join(", ")} still need a reason or owner.` : ""));
    }

    const actions = {
      md: () => download("md", toMarkdown(cl, report())),
      json: () => download("json", toJSON(cl, report())),
      print: () => print(),
      share: () => {
        const input = $("[data-meshkb-share] input");
        input.value = location.href.split("#")[0] + "#meshkb=" + encodeURIComponent(JSON.stringify({ format: PAGE, checklist: cl.id, fields, answers: Object.fromEntries(ans) }));
        input.parentNode.parentNode.hidden = false;
        input.select();
      },
      reset: () => {
        if (!confirm(`Reset all answers to “${cl.title}” in this browser?`)) return;
        [fields, ans] = [fresh(), new Map()];
        try { localStorage.removeItem(KEY); } catch { /* nothing was saved */ }
        showAll();
        say("All answers were reset.");
      },
    };

    for (const li of $$("[data-meshkb-item]")) {
      const id = li.dataset.meshkbItem, slot = $("[data-meshkb-slot]", li);
      if (!isLive(known.get(id))) continue;
      slot.append($("template").content.cloneNode(true));
      for (const r of $$("[type=radio]", li)) r.name = `meshkb-${cl.id}-${id}`;
      for (const s of $$(".meshkb-sr", li)) s.textContent = " for " + id;
      $("[type=checkbox]", li).disabled = false;
    }

    function setField(t, k) {
      fields[k] = k === "reviewers" ? t.value.split(",").map(strip).filter(Boolean) : t.value;
      if (/mesh|dataplane/.test(k)) { scope(); showAll(); }
      save();
    }

    root.addEventListener("change", ({ target: t }) => {
      const li = t.closest("[data-meshkb-item]"), k = t.dataset.meshkbField, file = t.files && t.files[0];
      const answer = (state) => update(li.dataset.meshkbItem, (a, it) => Object.assign(a, { state, rev: it.rev, prefilled: false }));
      if (file) file.text().then((text) => { const r = parseReport(cl, text, file.name); replaceWith([pick(r), byId(r.answers)], file.name); }).catch((e) => say(e.message)).finally(() => { t.value = ""; });
      else if (t.dataset.meshkbFilter) filter();
      else if (k) setField(t, k);
      else if (li && t.type === "radio") answer(t.value);
      else if (li && t.type === "checkbox") answer(t.checked ? "pass" : "open");
    });
    root.addEventListener("input", ({ target: t }) => {
      const li = t.closest("[data-meshkb-item]"), k = t.dataset.k;
      if (li && k) update(li.dataset.meshkbItem, (a) => { a[k] = t.value; });
      else if (t.type === "text" && t.dataset.meshkbField) setField(t, t.dataset.meshkbField);
    });
    root.addEventListener("click", ({ target }) => {
      const b = target.closest("button");
      if (b && b.dataset.meshkbAction) actions[b.dataset.meshkbAction]();
      else if (b && b.value === "fix") update(b.closest("[data-meshkb-item]").dataset.meshkbItem, (a, it) => Object.assign(a, { rev: it.rev, prefilled: false }));
    });

    try {
      const raw = localStorage.getItem(KEY);
      if (raw !== null) [fields, ans] = readState(JSON.parse(raw), "saved");
    } catch (e) {
      const denied = e.name === "SecurityError";
      say(denied ? "This browser cannot keep answers: export them." : "Saved answers could not be read; the page starts empty.", !denied);
    }
    $("[data-meshkb-nojs]").hidden = true;
    $("[data-meshkb-toolbar]").hidden = false;
    showAll();
    if (location.hash.startsWith("#meshkb=")) {
      try { replaceWith(readState(JSON.parse(decodeURIComponent(location.hash.slice(8))), "shared"), "the share link"); } catch { say("The share link could not be read; your answers are unchanged."); }
      history.replaceState(history.state, "", location.pathname + location.search);
    }
  }

  const start = () => document.querySelectorAll("[data-meshkb]").forEach(init);
  Object.assign((window.meshkb = window.meshkb || {}), { score, normalize, toMarkdown, toJSON, parseReport, start });
  if (window.document$) window.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
