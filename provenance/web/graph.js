// Drawing of the copy tree, the lag timeline and the outlet network in plain SVG.
// A layered tree layout: leaves take successive columns, a parent sits above the
// middle of its children, so the origin is always the top node.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

function treeLayout(nodes, rootId) {
  // nodes: [{id, parent}] -> Map id -> {x, y} with x in columns and y in levels.
  const children = new Map(nodes.map((n) => [n.id, []]));
  for (const n of nodes) if (n.parent !== null && children.has(n.parent)) children.get(n.parent).push(n.id);
  const pos = new Map();
  let column = 0;
  const place = (id, depth, seen) => {
    if (seen.has(id)) return;
    seen.add(id);
    const kids = children.get(id) || [];
    for (const kid of kids) place(kid, depth + 1, seen);
    const placed = kids.filter((k) => pos.has(k)).map((k) => pos.get(k).x);
    const x = placed.length ? (Math.min(...placed) + Math.max(...placed)) / 2 : column++;
    pos.set(id, { x, y: depth });
  };
  const seen = new Set();
  place(rootId, 0, seen);
  // Members not reachable from the root (a trace in progress) go on a last row.
  const depth = Math.max(0, ...[...pos.values()].map((p) => p.y)) + 1;
  for (const n of nodes) if (!pos.has(n.id)) pos.set(n.id, { x: column++, y: depth });
  return { pos, columns: Math.max(column, 1), levels: Math.max(...[...pos.values()].map((p) => p.y)) + 1 };
}

function drawTree(svg, articles, rootId, onSelect) {
  svg.replaceChildren();
  const nodes = articles.map((a) => ({ id: a.article_id, parent: a.parent_id }));
  const { pos, columns, levels } = treeLayout(nodes, rootId);
  const colW = 130, rowH = 90, pad = 40;
  const width = Math.max(columns * colW, 400), height = levels * rowH + pad;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const at = (id) => ({ x: pad + pos.get(id).x * colW + colW / 2 - pad / 2, y: pad + pos.get(id).y * rowH });
  const edges = svgEl("g", { class: "edges" });
  for (const a of articles) {
    if (a.parent_id === null || !pos.has(a.parent_id)) continue;
    const p = at(a.parent_id), c = at(a.article_id), mid = (p.y + c.y) / 2;
    const path = svgEl("path", {
      d: `M${p.x},${p.y} C${p.x},${mid} ${c.x},${mid} ${c.x},${c.y}`,
      class: `edge ${a.credit || "uncredited"} ${a.relation}`,
      "data-child": a.article_id,
    });
    path.appendChild(svgEl("title", {}, `${a.relation}, ${a.credit || "uncredited"}, similarity ${a.similarity}`));
    edges.appendChild(path);
  }
  svg.appendChild(edges);
  const group = svgEl("g", { class: "nodes" });
  for (const a of articles) {
    const { x, y } = at(a.article_id);
    const root = a.article_id === rootId;
    const node = svgEl("g", {
      class: root ? "node root" : "node", tabindex: 0, role: "button",
      "data-article-id": a.article_id, "data-root": root ? "true" : "false",
      "aria-label": `${a.outlet}: ${a.relation}${root ? " (origin)" : ""}`,
      transform: `translate(${x},${y})`,
    });
    node.appendChild(svgEl("circle", { r: root ? 12 : 9 }));
    node.appendChild(svgEl("text", { y: root ? -18 : 24, "text-anchor": "middle" }, a.outlet.slice(0, 22)));
    node.addEventListener("click", () => onSelect(a.article_id));
    node.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onSelect(a.article_id); }
    });
    group.appendChild(node);
  }
  svg.appendChild(group);
}

function fmtLag(seconds) {
  const h = seconds / 3600;
  return Math.abs(h) < 1 ? `${Math.round(seconds / 60)} min` : `${h.toFixed(1)} h`;
}

function drawTimeline(svg, articles) {
  svg.replaceChildren();
  const known = articles.filter((a) => a.lag_s !== null);
  const rowH = 22, left = 120, width = 260, pad = 12;
  const max = Math.max(1, ...known.map((a) => Math.abs(a.lag_s)));
  svg.setAttribute("viewBox", `0 0 ${left + width + 70} ${articles.length * rowH + pad * 2}`);
  articles.forEach((a, i) => {
    const y = pad + i * rowH;
    svg.appendChild(svgEl("text", { x: left - 8, y: y + 13, "text-anchor": "end" }, a.outlet.slice(0, 18)));
    if (a.lag_s === null) {
      svg.appendChild(svgEl("text", { x: left, y: y + 13, class: "muted" }, "time unknown"));
      return;
    }
    const w = Math.max(2, (Math.max(a.lag_s, 0) / max) * width);
    svg.appendChild(svgEl("rect", { x: left, y: y + 3, width: w, height: rowH - 6,
                                    class: a.relation === "origin" ? "bar origin" : "bar" }));
    svg.appendChild(svgEl("text", { x: left + w + 6, y: y + 13 }, a.relation === "origin" ? "origin" : `+${fmtLag(a.lag_s)}`));
  });
}

function drawNetwork(svg, outlets, edges, onSelect) {
  svg.replaceChildren();
  const size = 640, r = 250, c = size / 2;
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  const defs = svgEl("defs");
  const marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 16, refY: 5,
                                   markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.appendChild(svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: "#5b6570" }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  const place = new Map(outlets.map((o, i) => {
    const t = (2 * Math.PI * i) / Math.max(outlets.length, 1) - Math.PI / 2;
    return [o.domain, { x: c + r * Math.cos(t), y: c + r * Math.sin(t) }];
  }));
  const most = Math.max(1, ...edges.map((e) => e.count));
  for (const e of edges) {
    const s = place.get(e.source_domain), t = place.get(e.copier_domain);
    if (!s || !t) continue;
    const line = svgEl("line", { x1: s.x, y1: s.y, x2: t.x, y2: t.y, stroke: "#5b6570",
                                 "stroke-width": 1 + (4 * e.count) / most, "marker-end": "url(#arrow)", opacity: 0.7 });
    line.appendChild(svgEl("title", {}, `${e.source_name} → ${e.copier_name}: ${e.count} copies`));
    svg.appendChild(line);
  }
  for (const o of outlets) {
    const p = place.get(o.domain);
    const node = svgEl("g", { class: "node", tabindex: 0, role: "link", "aria-label": o.name,
                              transform: `translate(${p.x},${p.y})` });
    node.appendChild(svgEl("circle", { r: 7 + Math.min(10, o.originals) }));
    node.appendChild(svgEl("text", { y: -14, "text-anchor": "middle" }, o.name.slice(0, 24)));
    node.addEventListener("click", () => onSelect(o.outlet_id));
    node.addEventListener("keydown", (e) => { if (e.key === "Enter") onSelect(o.outlet_id); });
    svg.appendChild(node);
  }
}

window.ProvenanceGraph = { drawTree, drawTimeline, drawNetwork, treeLayout, svgEl, fmtLag };
