// Where a page's parts move while its HTML streams in, read by test_checklist_design.py.
//
// A browser may paint whatever it has parsed so far, so every state it can paint is a
// prefix of the document in tree order (scripts aside: the test keeps them out). This
// walks back from the whole page one node at a time and reports every drawn node under
// `root` that is in the first screen and stands elsewhere than in the whole page: each is
// a layout shift a reader on a slow connection could see.
//
// Called with [rootSelector, tolerance in CSS px]; returns {states, nodes, moves}.
([rootSelector, tolerance]) => {
  const height = innerHeight, width = innerWidth;
  const root = document.querySelector(rootSelector);
  if (!root) throw new Error(`no ${rootSelector} on the page`);
  const range = document.createRange();
  const box = (n) => {
    if (n.nodeType === 1) return n.getBoundingClientRect();
    range.selectNodeContents(n);
    return range.getBoundingClientRect();
  };
  // What the browser draws, and so can be seen to move: text, replaced elements and boxes
  // with a background, a border or a shadow; not inside a closed <details>, and not hidden
  // by visibility or opacity.
  const REPLACED = new Set(["IMG", "svg", "INPUT", "SELECT", "TEXTAREA", "VIDEO", "CANVAS", "IFRAME"]);
  const clear = (colour) => colour === "transparent" || /rgba\(.*, 0\)$/.test(colour);
  const paints = (e) => {
    if (REPLACED.has(e.tagName)) return true;
    const s = getComputedStyle(e);
    if (!clear(s.backgroundColor) || s.backgroundImage !== "none" || s.boxShadow !== "none") return true;
    return ["Top", "Right", "Bottom", "Left"].some((side) =>
      parseFloat(s[`border${side}Width`]) > 0 && s[`border${side}Style`] !== "none" && !clear(s[`border${side}Color`]));
  };
  const drawn = (n) => {
    const e = n.nodeType === 1 ? n : n.parentElement;
    return (n.nodeType === 3 || paints(e)) && e.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const onScreen = (r) => r.width > 0 && r.height > 0 && r.top < height && r.left < width;
  const nodes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let n = walker.currentNode; n; n = walker.nextNode()) {
    if (n.nodeType === 3 && !n.data.trim()) continue;
    const r = box(n);
    if (onScreen(r) && drawn(n)) nodes.push([n, r.left, r.top]);
  }
  const name = (n) => n.nodeType === 3 ? JSON.stringify(n.data.trim().slice(0, 30))
    : n.tagName.toLowerCase() + [...n.classList].map((c) => "." + c).join("");
  const path = (n) => {
    const names = [];
    for (let e = n; e && e !== document.body && names.length < 3; e = e.parentNode) names.unshift(name(e));
    return names.join(" > ");
  };
  const lastNode = () => { let n = document.body; while (n.lastChild) n = n.lastChild; return n; };
  const moves = [];
  let states = 0;
  // States whose end lies past the last node checked change nothing before it: drop them.
  const lastChecked = nodes.length ? nodes[nodes.length - 1][0] : root;
  for (let last = lastNode(); last !== document.body; last = lastNode()) {
    if (lastChecked.compareDocumentPosition(last) & Node.DOCUMENT_POSITION_FOLLOWING) { last.remove(); continue; }
    states++;
    for (const [n, x, y] of nodes) {
      if (!n.isConnected) continue;
      const r = box(n);
      if (r.width > 0 && r.height > 0 && (Math.abs(r.left - x) > tolerance || Math.abs(r.top - y) > tolerance)) {
        moves.push(`${path(n)} at (${r.left.toFixed(1)}, ${r.top.toFixed(1)}), not (${x.toFixed(1)}, ${y.toFixed(1)}), while the page ends at ${path(last)}`);
      }
    }
    if (moves.length >= 20) break;
    last.remove();
  }
  return { states, nodes: nodes.length, moves };
}
