/* This site's own small fixes to the theme (not part of the meshkb plugin's assets). */
(() => {
  "use strict";
  const fix = () => {
    // Material's search is a role=dialog with no name (axe: aria-dialog-name).
    for (const dialog of document.querySelectorAll(".md-search[role=dialog]:not([aria-label])")) {
      dialog.setAttribute("aria-label", "Search this site");
    }
    // Each code block's copy bar is a <nav> landmark; landmarks need distinct names.
    document.querySelectorAll(".md-code__nav:not([aria-label])").forEach((nav, index) => {
      nav.setAttribute("aria-label", `Code block ${index + 1}`);
    });
  };
  if (globalThis.document$) globalThis.document$.subscribe(fix);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fix);
  else fix();
})();
