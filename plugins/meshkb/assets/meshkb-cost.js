/* meshkb cost calculator: recomputes the server-rendered table and chart as the inputs change.
   compute() and format() mirror meshkb/cost.py operation for operation (cost_row,
   tenths, format_amount), so both print the same numbers; tests/cost/test_cost.py runs both. */
((root) => {
  "use strict";
  const meshkb = (root.meshkb = root.meshkb || {});
  const CELLS = ["reserved_cpu", "reserved_memory", "in_use_cpu", "in_use_memory"];

  const tenths = (value) => Math.floor(value * 10 + 0.5);

  const format = (value) => {
    if (value === null) return "\u2014";
    const t = tenths(value);
    return Math.floor(t / 10) + "." + (t % 10);
  };

  const row = (proxy, inputs) => {
    const count = proxy.per === "pod" ? inputs.pods : proxy.per === "node" ? inputs.nodes : inputs.waypoints;
    const req = proxy.requests, use = proxy.usage;
    return {
      id: proxy.id,
      proxies: count,
      reserved_cpu: req ? count * req.cpu_millicores / 1000 : null,
      reserved_memory: req ? count * req.memory_mib / 1024 : null,
      in_use_cpu: use && use.cpu_cores_per_1000_rps !== null
        ? (count === 0 ? 0 : inputs.rps * proxy.hops / 1000 * use.cpu_cores_per_1000_rps)
        : null,
      in_use_memory: use && use.memory_mb !== null ? count * use.memory_mb * 1000000 / 1073741824 : null,
    };
  };

  const compute = (data, inputs) => data.proxies.map((proxy) => row(proxy, inputs));

  meshkb.cost = { compute, format, tenths };
  if (typeof document === "undefined") return;

  const read = (form, name, whole) => {
    const input = form.elements[name], value = Number(input.value);
    const ok = input.value !== "" && Number.isFinite(value) && value >= 0 && (!whole || Number.isInteger(value));
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    return ok ? value : null;
  };

  /** The chart (meshkb/cost/chart.py) redrawn for the reader's cluster: lines and marker. */
  const drawChart = (chart, data, inputs) => {
    const attr = (node, name) => node.getAttribute(name);
    const pods = attr(chart, "data-pods").split(" ").map(Number);
    const perNode = inputs.nodes > 0 ? inputs.pods / inputs.nodes : Number(attr(chart, "data-pods-per-node"));
    const lines = pods.map((n) => compute(data, { pods: n, nodes: Math.ceil(n / perNode), rps: 0, waypoints: inputs.waypoints }));
    const here = compute(data, inputs);
    for (const svg of chart.querySelectorAll("[data-meshkb-panel]")) {
      const [xl, xh, xs, xe, yl, yh, ys, ye] = attr(svg, "data-meshkb-scale").split(" ").map(Number);
      const log = (v, l, h, s, e) => (s + (e - s) * Math.log10(Math.min(Math.max(v || l, l), h) / l) / Math.log10(h / l)).toFixed(1);
      const key = "reserved_" + attr(svg, "data-meshkb-panel");
      const y = (rows, id) => log(rows.find((r) => r.id === id)[key], yl, yh, ys, ye);
      for (const line of svg.querySelectorAll("[data-meshkb-series]")) {
        const id = attr(line, "data-meshkb-series").split(" ")[0];
        line.setAttribute("points", pods.map((n, i) => log(n, xl, xh, xs, xe) + "," + y(lines[i], id)).join(" "));
      }
      const mx = log(inputs.pods || 1, xl, xh, xs, xe);
      for (const end of ["x1", "x2"]) svg.querySelector("[data-meshkb-marker] line").setAttribute(end, mx);
      for (const dot of svg.querySelectorAll("[data-meshkb-dot]")) {
        dot.setAttribute("cx", mx);
        dot.setAttribute("cy", y(here, attr(dot, "data-meshkb-dot")));
      }
      const label = svg.querySelector("[data-meshkb-marker-text]");
      label.textContent = inputs.pods.toLocaleString("en") + " pods";
      label.setAttribute("x", mx - (mx > (xs + xe) / 2 ? 5 : -5));
      label.setAttribute("text-anchor", mx > (xs + xe) / 2 ? "end" : "start");
    }
  };

  const update = (box, data) => {
    const form = box.querySelector("[data-meshkb-cost-form]");
    const inputs = { pods: read(form, "pods", true), nodes: read(form, "nodes", true),
      rps: read(form, "rps", false), waypoints: read(form, "waypoints", true) };
    const error = box.querySelector("[data-meshkb-cost-error]");
    const bad = Object.values(inputs).includes(null);
    error.hidden = !bad;
    box.classList.toggle("meshkb-cost--stale", bad);
    if (bad) return;
    const chart = document.querySelector("[data-meshkb-cost-chart]");
    if (chart) drawChart(chart, data, inputs);
    for (const result of compute(data, inputs)) {
      const tr = box.querySelector(`[data-meshkb-cost-row="${result.id}"]`);
      if (!tr) continue;
      tr.querySelector('[data-meshkb-cost-cell="proxies"]').textContent = String(result.proxies);
      for (const cell of CELLS) tr.querySelector(`[data-meshkb-cost-cell="${cell}"]`).textContent = format(result[cell]);
    }
    const many = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`; // as describe_inputs
    box.querySelector("[data-meshkb-cost-inputs]").textContent =
      `${many(inputs.pods, "pod")}, ${many(inputs.nodes, "node")}, ${inputs.rps} RPS, ${many(inputs.waypoints, "waypoint")}`;
  };

  const init = () => {
    for (const box of document.querySelectorAll("[data-meshkb-cost]")) {
      if (box.hasAttribute("data-meshkb-cost-ready")) continue;
      let data;
      try { data = JSON.parse(box.getAttribute("data-meshkb-cost")); } catch (e) { continue; }
      box.setAttribute("data-meshkb-cost-ready", "");
      const form = box.querySelector("[data-meshkb-cost-form]");
      form.addEventListener("input", () => update(box, data));
      update(box, data);
      form.addEventListener("submit", (event) => event.preventDefault());
      const note = box.querySelector("[data-meshkb-cost-nojs]");
      if (note) note.hidden = true;
    }
  };

  // Material's instant navigation swaps pages without a load event: follow document$.
  if (root.document$ && root.document$.subscribe) root.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(globalThis);
