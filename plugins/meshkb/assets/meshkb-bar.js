/* meshkb-bar.js: the checklist toolbar's actions; see README.md beside this file. */
(() => {
  "use strict";

  /** This script's address: the report module is beside it. */
  const here = document.currentScript ? document.currentScript.src : location.href;
  let reportModule = null;

  /** The report writer and reader (meshkb-report.js), loaded the first time a reader exports or imports. */
  function withReports() {
    const core = globalThis.meshkb;
    if (core.parseReport) return Promise.resolve(core);
    reportModule = reportModule || new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("meshkb-report.js", here).href;
      script.onload = () => (core.parseReport ? resolve(core) : reject(new Error(`${script.src} holds no report functions.`)));
      script.onerror = () => {
        reportModule = null; // the next export or import tries again
        script.remove();
        reject(new Error(`Could not load ${script.src}: reports can be exported and imported once it loads.`));
      };
      document.head.append(script);
    });
    return reportModule;
  }

  /**
   * Wire one checklist's toolbar: the Export menu (Markdown, JSON, print), import, share
   * and copy, clearing the filters, dismissing a message and reset.
   * @param page what meshkb-page.js gives each checklist: its element, data and state
   */
  function toolbar(page) {
    const core = globalThis.meshkb;
    const { root, checklist, find, say } = page;

    function download(extension, text) {
      const answers = page.answers();
      const incomplete = page.liveItems
        .filter((item) => answers.has(item.id) && core.missingField(answers.get(item.id)))
        .map((item) => item.id);
      if (incomplete.length) {
        say(`Not exported: ${incomplete.join(", ")} still need a reason or owner (meshkb report check would refuse the file).`);
        return;
      }
      const name = `${checklist.id}-review.${extension}`;
      try {
        core.parseReport(checklist, text, name); // what we write, we can read
      } catch (error) {
        say(`Not exported: ${error.message}`);
        return;
      }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: extension === "md" ? "text/markdown" : "application/json" }));
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      say(`Exported ${name}.`);
    }

    function exportAs(extension, write) {
      withReports().then(() => download(extension, write()), (error) => say(error.message, { keep: true }));
    }

    function importFile(input, file) {
      Promise.all([file.text(), withReports()])
        .then(([text]) => {
          const report = core.parseReport(checklist, text, file.name);
          const given = new Map(report.answers.map((answer) => [answer.id, answer]));
          const missing = page.liveItems.filter((item) => !given.has(item.id)).map((item) => item.id);
          page.replaceAnswers([core.fieldsOf(report), given], file.name, missing);
        })
        .catch((error) => say(error.message, { keep: true }))
        .finally(() => {
          input.value = ""; // so the same file can be chosen again
        });
    }

    const menu = find("[data-meshkb-menu]");
    const shareBox = find("[data-meshkb-share]");
    const shareButton = find("[data-meshkb-action=share]");
    const actions = {
      md: () => exportAs("md", () => core.toMarkdown(checklist, page.currentReport())),
      json: () => exportAs("json", () => core.toJSON(checklist, page.currentReport())),
      print: () => print(),
      share: () => {
        const input = find("input", shareBox);
        input.value = location.href.split("#")[0] + "#meshkb=" + encodeURIComponent(JSON.stringify(page.pageState()));
        shareBox.hidden = false;
        shareButton.setAttribute("aria-expanded", "true");
        input.select();
      },
      copy: () => {
        const input = find("input", shareBox);
        const done = () => say("Link copied to the clipboard.");
        const fallback = () => {
          input.select();
          // execCommand is the only copy that works without the Clipboard API's permission.
          if (document.execCommand("copy")) done();
          else say("Copy the selected link with Ctrl+C (⌘C).");
        };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, fallback);
        else fallback();
      },
      clear: () => page.setFilters("", ""),
      dismiss: () => say(""),
      reset: () => page.reset(),
    };

    root.addEventListener("change", ({ target }) => {
      if (target.files && target.files[0]) importFile(target, target.files[0]);
    });
    root.addEventListener("click", ({ target }) => {
      const button = target.closest("button[data-meshkb-action]");
      if (!button) return;
      if (menu.contains(button)) menu.open = false;
      actions[button.dataset.meshkbAction]();
    });
    const closeMenu = (event) => {
      if (menu.open && (event.key === "Escape" || (event.type === "click" && !menu.contains(event.target)))) {
        menu.open = false;
        if (event.key) find("summary", menu).focus();
      }
    };
    document.addEventListener("click", closeMenu);
    root.addEventListener("keydown", closeMenu);
    // Opening the Export menu shows the intent: fetch the report module while the reader chooses.
    menu.addEventListener("toggle", () => menu.open && withReports().catch(() => {}));
  }

  // Loaded before meshkb-core.js (the plugin lists the scripts in name order), so it makes
  // the one global if it is not there yet; it reads the core only when a page starts.
  Object.assign((globalThis.meshkb = globalThis.meshkb || {}), { toolbar, withReports });
})();
