// The page: submit a URL or text, search stories, and show a story, an outlet or
// the network. Everything comes from /api on this server; every value from the
// API is written as text (textContent), never parsed as HTML.
"use strict";

const G = window.ProvenanceGraph;
const view = () => document.getElementById("view");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return node;
}

function headers(extra) {
  const token = document.getElementById("token").value.trim();
  return Object.assign(token ? { Authorization: `Bearer ${token}` } : {}, extra || {});
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, { headers: headers((options || {}).headers) }));
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error.message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}
const getJSON = async (path) => (await api(path)).json();

function showError(error) {
  view().replaceChildren(el("p", { class: "error", role: "alert" }, `Error: ${error.message}`));
}

function when(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : "—"; }

// -- submission -------------------------------------------------------------------

async function submit(event) {
  event.preventDefault();
  const value = document.getElementById("submit-input").value.trim();
  const status = document.getElementById("submit-status");
  const body = /^https?:\/\/\S+$/i.test(value) ? { url: value } : { text: value };
  status.textContent = "Submitted…";
  try {
    let job = await (await api("/api/submissions", {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    })).json();
    while (job.status === "queued" || job.status === "running") {
      await new Promise((done) => setTimeout(done, 400));
      job = await getJSON(`/api/jobs/${job.id}`);
    }
    if (job.status === "failed") throw new Error(job.error);
    const story = job.result.story_id;
    status.textContent = story ? `Found story ${story}.` : "No story holds this text yet.";
    if (story) location.hash = `#/story/${story}`;
  } catch (error) {
    status.textContent = `Not done: ${error.message}`;
  }
}

// -- search -----------------------------------------------------------------------

async function home() {
  const form = el("form", { class: "search", role: "search" },
    el("label", {}, "Words", el("input", { name: "q", type: "search" })),
    el("label", {}, "Outlet", el("input", { name: "outlet" })),
    el("label", {}, "From", el("input", { name: "since", type: "date" })),
    el("label", {}, "To", el("input", { name: "until", type: "date" })),
    el("button", { type: "submit" }, "Search"));
  const results = el("div", { id: "results" });
  form.addEventListener("submit", (e) => { e.preventDefault(); search(form, results, 0); });
  view().replaceChildren(el("section", {}, el("h2", {}, "Stories"), form, results));
  await search(form, results, 0);
}

async function search(form, results, offset) {
  const data = new FormData(form), params = new URLSearchParams({ limit: "25", offset: String(offset) });
  for (const key of ["q", "outlet"]) if (data.get(key)) params.set(key, data.get(key));
  if (data.get("since")) params.set("since", `${data.get("since")}T00:00:00Z`);
  if (data.get("until")) params.set("until", `${data.get("until")}T23:59:59Z`);
  try {
    const page = await getJSON(`/api/stories?${params}`);
    const rows = page.items.map((s) => el("tr", {},
      el("td", {}, el("a", { href: `#/story/${s.story_id}` }, String(s.story_id))),
      el("td", {}, s.title || "—"), el("td", {}, s.origin_outlet || "—"),
      el("td", {}, String(s.size)), el("td", {}, s.confidence.toFixed(2)), el("td", {}, when(s.first_published_at))));
    const more = page.next_offset === null ? null
      : el("button", { type: "button", onclick: () => search(form, results, page.next_offset) }, "Next page");
    results.replaceChildren(
      el("p", { class: "muted" }, page.total === null ? `${page.items.length}${page.next_offset === null ? "" : "+"} stories` : `${page.total} stories`),
      el("table", {}, el("thead", {}, el("tr", {}, ...["story", "title", "origin", "copies", "confidence", "first published"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...rows)), more);
  } catch (error) { results.replaceChildren(el("p", { class: "error" }, error.message)); }
}

// -- a story ----------------------------------------------------------------------

const CREDIT_WORDS = { credited: "credits its source", uncredited: "does not say where it comes from",
                       miscredited: "names a source it did not copy from" };

// What a copy credits, naming the sources its text declares where it names any.
function creditWords(article) {
  const names = (article.declared_sources || []).join(", ");
  if (!article.credit) return "—";
  if (names && article.credit === "credited") return `credits ${names}`;
  if (names && article.credit === "miscredited") return `names ${names}, not a source it used`;
  return CREDIT_WORDS[article.credit];
}

function originCard(story) {
  const origin = story.articles.find((a) => a.relation === "origin") || story.articles[0];
  return el("section", { class: "card", id: "origin-card", "aria-labelledby": "origin-title" },
    el("h2", { id: "origin-title" }, `Origin: ${story.origin_outlet || "unknown"}`),
    el("p", {}, el("span", { class: "url" }, story.origin_url || ""), " — ",
      el("strong", {}, `confidence ${story.confidence.toFixed(2)}`), ` that the story started here; ${story.size} member(s), first published ${when(story.first_published_at)}.`),
    el("ul", {}, ...origin.evidence.map((e) => el("li", {}, e.detail))));
}

function exportsBar(storyId) {
  const formats = [["json", "JSON"], ["csv", "CSV"], ["gexf", "GEXF"], ["graphml", "GraphML"], ["prov", "PROV-JSON"], ["bundle", "Evidence bundle (zip)"]];
  return el("section", { class: "exports" }, el("h2", {}, "Export"),
    ...formats.map(([format, label]) => el("button", { type: "button", "data-format": format, onclick: () => download(storyId, format) }, label)));
}

async function download(storyId, format) {
  const response = await api(`/api/stories/${storyId}/export?format=${format}`);
  const name = (response.headers.get("Content-Disposition") || "").split('filename="')[1] || `story-${storyId}`;
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name.replace(/"$/, "") });
  document.body.append(link); link.click(); link.remove();
}

function copiesTable(story, select) {
  const rows = story.articles.map((a) => el("tr", { "data-article-id": String(a.article_id) },
    el("td", {}, el("a", { href: `#/outlet/${a.outlet_id}` }, a.outlet)),
    el("td", {}, when(a.published_at || a.fetched_at)),
    el("td", {}, a.relation), el("td", {}, a.similarity.toFixed(2)),
    el("td", {}, creditWords(a)),
    el("td", {}, a.parent_url ? el("button", { type: "button", class: "link", onclick: () => select(a.article_id) }, "show diff") : "")));
  return el("section", {}, el("h2", {}, "Copies"),
    el("table", { id: "copies" }, el("thead", {}, el("tr", {}, ...["outlet", "time", "relation", "similarity", "credit", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows)));
}

async function storyPage(id) {
  const story = await getJSON(`/api/stories/${id}`);
  const byUrl = new Map(story.articles.map((a) => [a.url, a]));
  for (const a of story.articles) a.parent_id = a.parent_url && byUrl.has(a.parent_url) ? byUrl.get(a.parent_url).article_id : null;
  const root = (story.articles.find((a) => a.url === story.origin_url) || story.articles[0]).article_id;
  const diffPanel = el("section", { id: "diff", "aria-live": "polite" }, el("h2", {}, "Diff"), el("p", { class: "muted" }, "Choose a copy in the graph or the table."));
  const select = (articleId) => showDiff(articleId, diffPanel, byUrl);
  const tree = G.svgEl("svg", { id: "tree", role: "group", "aria-label": "Copy tree, origin at the top" });
  const timeline = G.svgEl("svg", { id: "timeline", role: "img", "aria-label": "Publication lag after the origin" });
  view().replaceChildren(
    el("h2", {}, `Story ${story.story_id}`), originCard(story),
    el("div", { class: "grid" },
      el("section", {}, el("h2", {}, "Who copied whom"), el("p", { class: "legend" },
        ...["credited", "uncredited", "miscredited"].map((c) => el("span", {}, el("i", { class: `swatch ${c}` }), ` ${c}`))), tree),
      el("section", {}, el("h2", {}, "Publication lag"), timeline)),
    copiesTable(story, select), diffPanel, exportsBar(story.story_id));
  G.drawTree(tree, story.articles, root, select);
  G.drawTimeline(timeline, story.articles);
}

function sentenceLine(s) {
  if (s.kind === "equal") return el("span", {}, `${s.child} `);
  if (s.kind === "added") return el("ins", {}, `${s.child} `);
  if (s.kind === "removed") return el("del", {}, `${s.parent} `);
  return el("span", {}, el("del", {}, s.parent), " ", el("ins", {}, s.child), " ");
}

function paragraph(op) {
  if (op.kind === "changed" && op.sentences) return el("p", { class: "op-changed" }, ...op.sentences.map(sentenceLine));
  const text = (op.kind === "removed" ? op.parent : op.child).join(" ");
  return el("p", { class: `op-${op.kind}` }, text);
}

async function showDiff(articleId, panel, byUrl) {
  document.querySelectorAll("#copies tr.selected").forEach((r) => r.classList.remove("selected"));
  const row = document.querySelector(`#copies tr[data-article-id="${articleId}"]`);
  if (row) row.classList.add("selected");
  try {
    const diff = await getJSON(`/api/articles/${articleId}/diff`);
    const flags = Object.entries(diff.flags).filter(([, on]) => on).map(([name]) => el("li", {}, name.replaceAll("_", " ")));
    panel.replaceChildren(el("h2", { tabindex: "-1", id: "diff-title" }, `${diff.child.outlet} against ${diff.parent.outlet}`),
      el("p", {}, `similarity ${diff.similarity.toFixed(2)}`),
      el("ul", { class: "flags" }, ...(flags.length ? flags : [el("li", {}, "no visible edits")])),
      el("div", { class: "diff" }, ...diff.paragraphs.map(paragraph)));
  } catch (error) {
    const article = [...byUrl.values()].find((a) => a.article_id === articleId);
    panel.replaceChildren(el("h2", {}, "Diff"), el("p", { class: "muted" }, article && article.relation === "origin" ? "The origin has no parent to differ from." : error.message));
  }
  panel.scrollIntoView({ block: "nearest" });
  const title = document.getElementById("diff-title");
  if (title) title.focus({ preventScroll: true });
}

// -- outlets and network ----------------------------------------------------------

function edgeTable(edges, side) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...["outlet", "copies", "credited", "median lag"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...edges.map((e) => el("tr", {},
      el("td", {}, el("a", { href: `#/outlet/${e[`${side}_id`]}` }, e[`${side}_name`])), el("td", {}, String(e.count)),
      el("td", {}, `${Math.round(e.credited_share * 100)}%`), el("td", {}, e.median_lag_s === null ? "—" : G.fmtLag(e.median_lag_s))))));
}

async function outletPage(id) {
  const o = await getJSON(`/api/outlets/${id}`);
  view().replaceChildren(el("h2", {}, `${o.name} (${o.domain})`),
    el("p", {}, `${o.articles || 0} articles in stories, ${o.originals || 0} originals, ${o.copies || 0} copies.`),
    el("div", { class: "grid" }, el("section", {}, el("h2", {}, "Copies from"), edgeTable(o.sources, "source")),
      el("section", {}, el("h2", {}, "Copied by"), edgeTable(o.copiers, "copier"))),
    el("section", {}, el("h2", {}, "Recent articles"), el("ul", {}, ...o.recent_articles.map((a) =>
      el("li", {}, el("a", { href: `#/story/${a.story_id}` }, a.title || a.url))))));
}

async function networkPage() {
  const net = await getJSON("/api/network");
  const svg = G.svgEl("svg", { id: "network", role: "group", "aria-label": "Outlet copy network" });
  view().replaceChildren(el("h2", {}, "Outlet network"),
    el("div", { class: "grid" }, el("section", {}, svg), el("section", {}, el("h2", {}, "Edges"),
      el("table", {}, el("thead", {}, el("tr", {}, ...["from", "to", "copies", "credited"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...net.edges.map((e) => el("tr", {}, el("td", {}, el("a", { href: `#/outlet/${e.source_id}` }, e.source_name)),
          el("td", {}, el("a", { href: `#/outlet/${e.copier_id}` }, e.copier_name)), el("td", {}, String(e.count)),
          el("td", {}, `${Math.round(e.credited_share * 100)}%`))))))));
  G.drawNetwork(svg, net.outlets, net.edges, (outletId) => { location.hash = `#/outlet/${outletId}`; });
}

// -- routing ----------------------------------------------------------------------

async function route() {
  const [, page, id] = location.hash.split("/");
  try {
    if (page === "story" && id) await storyPage(Number(id));
    else if (page === "outlet" && id) await outletPage(Number(id));
    else if (page === "network") await networkPage();
    else await home();
  } catch (error) { showError(error); }
}

document.addEventListener("DOMContentLoaded", () => {
  const token = document.getElementById("token");
  token.value = sessionStorage.getItem("provenance-token") || "";
  token.addEventListener("change", () => { sessionStorage.setItem("provenance-token", token.value); route(); });
  document.getElementById("submit-form").addEventListener("submit", submit);
  window.addEventListener("hashchange", route);
  route();
});
