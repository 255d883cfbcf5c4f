// newsfuse web page: plain JavaScript, no build step, no third-party code, same-origin requests only.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 400;
  const ARTICLE_SUFFIXES = [".txt", ".html", ".htm"];

  const state = {
    nextBlock: 1,
    submitted: null, // the articles as sent, kept to ask /v1/clean for the texts quotes point into
    texts: new Map(), // article id -> cleaned text
    meta: new Map(), // article id -> ArticleMetaOut
    copiesOf: new Map(), // kept article id -> ids of its duplicates
    lastQuote: null, // the quote button that opened the article view
    busy: false,
  };

  // ---------- small DOM helpers (text is always set with textContent: no markup from data) ----------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function sourceName(articleId) {
    const meta = state.meta.get(articleId);
    return (meta && meta.source) || articleId;
  }

  // ---------- article blocks ----------

  function renumberBlocks() {
    const blocks = $("article-list").querySelectorAll(".article-block");
    blocks.forEach((block, index) => {
      block.querySelector("legend").textContent = `Article ${index + 1}`;
      block.querySelector(".remove-article").setAttribute("aria-label", `Remove article ${index + 1}`);
    });
  }

  function addBlock(values = {}) {
    const n = state.nextBlock++;
    const field = (name, label, input) => {
      input.id = `a${n}-${name}`;
      input.name = name;
      return el("div", { class: `field field-${name}` }, el("label", { for: input.id, text: label }), input);
    };
    const format = el(
      "select",
      {},
      el("option", { value: "text", text: "Plain text" }),
      el("option", { value: "html", text: "HTML" }),
    );
    format.value = values.html !== undefined && values.html !== null ? "html" : "text";
    const body = el("textarea", { rows: 8, spellcheck: "false" });
    body.value = values.html ?? values.text ?? "";
    const date = el("input", { type: "date" });
    date.value = values.published_at || "";
    const block = el(
      "li",
      { class: "article-block" },
      el(
        "fieldset",
        {},
        el("legend", { text: "Article" }),
        el(
          "div",
          { class: "field-row" },
          field("id", "Id (optional)", el("input", { type: "text", value: values.id || "", autocomplete: "off" })),
          field("source", "Source (optional)", el("input", { type: "text", value: values.source || "" })),
          field("published_at", "Date (optional)", date),
          field("format", "Format", format),
        ),
        field("title", "Title (optional)", el("input", { type: "text", value: values.title || "" })),
        field("body", "Article text", body),
        el("button", {
          type: "button",
          class: "remove-article secondary",
          text: "Remove",
          onclick: () => {
            const next = block.nextElementSibling || block.previousElementSibling;
            block.remove();
            renumberBlocks();
            (next ? next.querySelector("textarea") : $("add-article")).focus();
          },
        }),
      ),
    );
    $("article-list").append(block);
    renumberBlocks();
    return block;
  }

  function blockIsEmpty(block) {
    return [...block.querySelectorAll("input, textarea")].every((input) => !input.value.trim());
  }

  function replaceBlocks(articles) {
    $("article-list").replaceChildren();
    for (const article of articles) addBlock(article);
  }

  function collectArticles() {
    const articles = [];
    const blocks = [];
    for (const block of $("article-list").querySelectorAll(".article-block")) {
      if (blockIsEmpty(block)) continue;
      const get = (name) => block.querySelector(`[name="${name}"]`).value;
      const article = {};
      for (const name of ["id", "source", "title", "published_at"]) {
        const value = get(name).trim();
        if (value) article[name] = value;
      }
      article[get("format") === "html" ? "html" : "text"] = get("body");
      articles.push(article);
      blocks.push(block);
    }
    return { articles, blocks };
  }

  // ---------- status, progress and errors ----------

  function setStatus(text) {
    $("status-text").textContent = text;
  }

  function showProgress(label, fraction) {
    const box = $("progress-box");
    const bar = $("progress");
    box.hidden = false;
    $("progress-label").textContent = label;
    if (typeof fraction === "number" && Number.isFinite(fraction)) {
      bar.value = Math.max(0, Math.min(1, fraction));
      bar.textContent = `${Math.round(bar.value * 100)}%`;
    } else {
      bar.removeAttribute("value"); // indeterminate: a busy indicator
      bar.textContent = "working";
    }
  }

  function hideProgress() {
    $("progress-box").hidden = true;
  }

  function clearError() {
    $("error").replaceChildren();
    document.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  }

  // A JSON Pointer such as /articles/2/text names the form field it is about.
  function fieldForPointer(pointer, blocks) {
    const match = /^\/articles\/(\d+)(?:\/([a-z_]+))?/.exec(pointer || "");
    if (!match) return null;
    const block = blocks[Number(match[1])];
    if (!block) return null;
    const name = { text: "body", html: "body" }[match[2]] || match[2] || "body";
    const input = block.querySelector(`[name="${name}"]`) || block.querySelector("textarea");
    const index = [...$("article-list").children].indexOf(block);
    return { input, label: `Article ${index + 1}${match[2] ? `, ${match[2]}` : ""}` };
  }

  function showError(problem, blocks = []) {
    const box = el("div", { class: "error-box" });
    box.append(el("h3", { text: problem.title || "Something went wrong" }));
    if (problem.detail) box.append(el("p", { text: problem.detail }));
    const errors = Array.isArray(problem.errors) ? problem.errors : [];
    if (errors.length) {
      const list = el("ul", { class: "error-list" });
      for (const item of errors) {
        const target = fieldForPointer(item.pointer, blocks);
        const where = target ? target.label : item.pointer || "request";
        const entry = el("li", {}, el("code", { text: item.pointer || "" }), " ");
        if (target && target.input) {
          target.input.setAttribute("aria-invalid", "true");
          entry.append(
            el("button", {
              type: "button",
              class: "link-button",
              text: where,
              onclick: () => target.input.focus(),
            }),
          );
        } else {
          entry.append(el("strong", { text: where }));
        }
        entry.append(`: ${item.detail || "invalid"}`);
        list.append(entry);
      }
      box.append(list);
    }
    if (problem.status) box.append(el("p", { class: "muted", text: `HTTP ${problem.status}` }));
    $("error").replaceChildren(box);
  }

  async function problemFrom(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (body && typeof body === "object" && (body.title || body.detail)) {
      return { status: response.status, ...body };
    }
    return { status: response.status, title: `Request failed (HTTP ${response.status})`, detail: response.statusText };
  }

  class ProblemError extends Error {
    constructor(problem) {
      super(problem.title || "error");
      this.problem = problem;
    }
  }

  async function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, application/problem+json" },
      body: JSON.stringify(body),
    });
  }

  // ---------- running an analysis: the jobs API with progress when the server has it ----------

  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function runJob(payload) {
    const created = await postJSON("/v1/jobs", payload);
    if (created.status === 404 || created.status === 405) return null; // no jobs API on this server
    if (!created.ok) throw new ProblemError(await problemFrom(created));
    const job = await created.json();
    const url = created.headers.get("Location") || `/v1/jobs/${encodeURIComponent(job.id)}`;
    let lastLabel = "";
    for (;;) {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      if (!response.ok) throw new ProblemError(await problemFrom(response));
      const current = await response.json();
      const status = String(current.status || "");
      if (current.result) {
        showProgress("Done", 1);
        return current.result;
      }
      if (/fail|error|cancel/i.test(status)) {
        const error = current.error || current.problem || {};
        throw new ProblemError(
          typeof error === "string"
            ? { title: "The analysis failed", detail: error }
            : { title: error.title || "The analysis failed", detail: error.detail || status, ...error },
        );
      }
      const progress = current.progress || {};
      const stage = progress.stage || status || "queued";
      const fraction = typeof progress.fraction === "number" ? progress.fraction : null;
      const label = `Stage: ${stage}${fraction === null ? "" : ` (${Math.round(fraction * 100)}%)`}`;
      if (label !== lastLabel) {
        showProgress(label, fraction);
        lastLabel = label;
      }
      await delay(POLL_MS);
    }
  }

  async function runSync(payload) {
    showProgress(`Analysing ${payload.articles.length} article(s)…`, null);
    const response = await postJSON("/v1/summaries", payload);
    if (!response.ok) throw new ProblemError(await problemFrom(response));
    return response.json();
  }

  async function fetchTexts(articles) {
    state.texts = new Map();
    try {
      const response = await postJSON("/v1/clean", { articles });
      if (!response.ok) return;
      const body = await response.json();
      for (const article of body.articles) state.texts.set(article.id, article.text);
    } catch {
      // The results stand without the article view; a quote then opens without its context.
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (state.busy) return;
    clearError();
    const { articles, blocks } = collectArticles();
    if (!articles.length) {
      showError({ title: "No articles", detail: "Add at least one article (paste, upload or load the samples)." });
      return;
    }
    const maxWords = Number($("max-words").value) || 120;
    const payload = { articles, group_events: $("group-events").checked, max_summary_words: maxWords };
    state.busy = true;
    $("submit").disabled = true;
    $("results").setAttribute("aria-busy", "true");
    setStatus(`Analysing ${articles.length} article(s)…`);
    try {
      let result = await runJob(payload);
      if (result === null) result = await runSync(payload);
      state.submitted = articles;
      await fetchTexts(articles);
      renderResults(result);
      const clusters = result.clusters.length;
      setStatus(`Done: ${clusters} ${clusters === 1 ? "story" : "stories"} from ${result.articles.length} article(s).`);
      $("results").focus();
    } catch (error) {
      setStatus("The analysis did not finish.");
      showError(
        error instanceof ProblemError
          ? error.problem
          : { title: "Could not reach the service", detail: String(error && error.message ? error.message : error) },
        blocks,
      );
      $("error").focus();
    } finally {
      hideProgress();
      state.busy = false;
      $("submit").disabled = false;
      $("results").removeAttribute("aria-busy");
    }
  }

  // ---------- results ----------

  function badge(text, kind = "") {
    return el("span", { class: `badge ${kind}`.trim(), text });
  }

  function sourceBadges(articleIds) {
    const seen = new Set();
    const badges = [];
    for (const id of articleIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      const copies = state.copiesOf.get(id) || [];
      const title = copies.length ? `${id}; also carried by ${copies.join(", ")}` : id;
      badges.push(el("span", { class: "badge source", title, text: sourceName(id) }));
    }
    return badges;
  }

  function quoteButton(support) {
    return el(
      "button",
      {
        type: "button",
        class: "quote",
        "data-article": support.article_id,
        "data-start": support.start,
        "data-end": support.end,
        "aria-label": `Quote from ${support.source}: show it in the article`,
        onclick: (event) => showInArticle(support, event.currentTarget),
      },
      `“${support.quote}”`,
    );
  }

  function supportList(supports) {
    return el(
      "ul",
      { class: "quotes" },
      supports.map((s) =>
        el("li", {}, quoteButton(s), " ", el("span", { class: "quote-source" }, "— ", sourceBadges([s.article_id]))),
      ),
    );
  }

  function renderPoint(point) {
    const ids = point.support.map((s) => s.article_id);
    return el(
      "li",
      { class: "point" },
      el("p", { class: "point-text", text: point.text }),
      el(
        "p",
        { class: "point-sources" },
        `${point.independent_sources} independent source${point.independent_sources === 1 ? "" : "s"}: `,
        sourceBadges(ids),
      ),
      point.contested && point.contested.length
        ? el(
            "p",
            { class: "point-contested" },
            el("strong", { text: "Sources differ on a detail of this wording (see the disagreements): " }),
            point.contested.join(", "),
          )
        : null,
      el(
        "details",
        {},
        el("summary", { text: `Quotes (${point.support.length})` }),
        supportList(point.support),
      ),
    );
  }

  function renderDisagreement(dis, index, clusterId) {
    const captionId = `${clusterId}-d${index}`;
    const head = el("tr", {}, el("td", { class: "corner" }));
    const quotes = el("tr", {}, el("th", { scope: "row", text: "Quote" }));
    const sources = el("tr", {}, el("th", { scope: "row", text: "Source" }));
    dis.positions.forEach((position) => {
      head.append(el("th", { scope: "col", class: "claim", text: position.claim }));
      quotes.append(el("td", {}, supportList(position.support)));
      sources.append(el("td", {}, sourceBadges(position.support.map((s) => s.article_id))));
    });
    const table = el(
      "table",
      { class: "disagreement", "aria-describedby": dis.description ? `${captionId}-desc` : null },
      el(
        "caption",
        { id: captionId },
        el("span", { class: "aspect", text: dis.aspect }),
        " ",
        badge(dis.kind, "kind"),
        " ",
        el("span", { class: "confidence", text: `confidence ${dis.confidence.toFixed(2)}` }),
      ),
      el("thead", {}, head),
      el("tbody", {}, quotes, sources),
    );
    return el(
      "div",
      { class: "table-wrap" },
      table,
      dis.description ? el("p", { id: `${captionId}-desc`, class: "description", text: dis.description }) : null,
    );
  }

  function clusterTitle(cluster) {
    if (cluster.consensus.headline) return cluster.consensus.headline;
    for (const id of cluster.article_ids) {
      const meta = state.meta.get(id);
      if (meta && meta.title) return meta.title;
    }
    return `Story ${cluster.id}`;
  }

  function renderCluster(cluster) {
    const consensus = cluster.consensus;
    const headingId = `${cluster.id}-heading`;
    const flags = [];
    if (consensus.mode === "extractive") flags.push(badge("extractive", "flag"));
    if (consensus.single_source) flags.push(badge("single source", "flag warn"));

    const articles = el("ul", { class: "cluster-articles" });
    const copies = new Set(cluster.duplicates.flatMap((d) => d.copies));
    for (const id of cluster.article_ids) {
      if (copies.has(id)) continue;
      const meta = state.meta.get(id) || {};
      const item = el(
        "li",
        {},
        badge(sourceName(id), "source"),
        " ",
        meta.title ? el("span", { text: meta.title }) : el("span", { class: "muted", text: "(no title)" }),
        " ",
        el("code", { text: id }),
        meta.published_at ? el("span", { class: "muted", text: ` (${meta.published_at})` }) : null,
      );
      const dupes = state.copiesOf.get(id) || [];
      if (dupes.length) {
        item.append(
          el("span", { class: "also-carried" }, " — also carried by ", dupes.map((c) => badge(sourceName(c), "source"))),
        );
      }
      articles.append(item);
    }

    const section = el(
      "article",
      { class: "cluster", "aria-labelledby": headingId, "data-cluster": cluster.id },
      el("h3", { id: headingId }, el("span", { text: clusterTitle(cluster) }), " ", flags),
      el(
        "p",
        { class: "muted" },
        `Story ${cluster.id}: ${cluster.article_ids.length} article(s), ` +
          `${cluster.independent_sources} independent source${cluster.independent_sources === 1 ? "" : "s"}.`,
      ),
      articles,
      el("h4", { text: "Consensus" }),
      consensus.single_source
        ? el("p", { class: "note", text: "Only one independent source reports this story: nothing here is confirmed." })
        : null,
      el("p", { class: "summary", text: consensus.summary || "(no summary)" }),
      consensus.notes.length ? el("ul", { class: "notes" }, consensus.notes.map((n) => el("li", { text: n }))) : null,
      el("h4", { text: consensus.single_source ? "Points (one source)" : "Points the sources agree on" }),
      consensus.points.length
        ? el("ol", { class: "points" }, consensus.points.map(renderPoint))
        : el("p", { class: "muted", text: "No points." }),
      el("h4", { text: "Where they disagree" }),
      cluster.disagreements.length
        ? cluster.disagreements.map((d, i) => renderDisagreement(d, i + 1, cluster.id))
        : el("p", { class: "muted", text: "No disagreements found." }),
    );
    return section;
  }

  function renderResults(result) {
    state.meta = new Map(result.articles.map((a) => [a.id, a]));
    state.copiesOf = new Map();
    for (const cluster of result.clusters) {
      for (const dup of cluster.duplicates) state.copiesOf.set(dup.kept, dup.copies);
    }
    const body = $("results-body");
    body.replaceChildren();
    const model = result.model;
    body.append(
      el(
        "p",
        { class: "model muted" },
        `Summaries by ${model.name} (${model.mode}); claims aligned with ${model.embedding}.`,
      ),
    );
    if (model.mode === "extractive") {
      body.append(
        el("p", {
          class: "note",
          text: "No summarization model is loaded: summaries are composed from the consensus points (extractive).",
        }),
      );
    }
    if (result.skipped && result.skipped.length) {
      body.append(
        el("div", { class: "note skipped" }, [
          el("p", { text: "Articles left out of the analysis (nothing else was lost):" }),
          el(
            "ul",
            {},
            result.skipped.map((s) => el("li", {}, [el("code", { text: s.article_id }), `: ${s.reason}`])),
          ),
        ]),
      );
    }
    for (const cluster of result.clusters) body.append(renderCluster(cluster));
    $("results-empty").hidden = true;
    resetArticleView();
  }

  // ---------- the article view: a quote highlighted where it stands ----------

  function resetArticleView() {
    $("article-view-hint").hidden = false;
    $("article-view-meta").replaceChildren();
    $("article-view-text").replaceChildren();
    $("back-to-quote").hidden = true;
    document.querySelectorAll(".quote[aria-pressed]").forEach((b) => b.removeAttribute("aria-pressed"));
  }

  function showInArticle(support, button) {
    const view = $("article-view-text");
    const meta = state.meta.get(support.article_id) || {};
    document.querySelectorAll(".quote[aria-pressed]").forEach((b) => b.removeAttribute("aria-pressed"));
    button.setAttribute("aria-pressed", "true");
    state.lastQuote = button;
    $("article-view-hint").hidden = true;
    $("article-view-meta").replaceChildren(
      el("p", {}, badge(support.source, "source"), " ", el("strong", { text: meta.title || support.article_id })),
      meta.published_at ? el("p", { class: "muted", text: meta.published_at }) : null,
    );
    const text = state.texts.get(support.article_id);
    view.replaceChildren();
    // Offsets are in Unicode code points (Python); Array.from splits by code point, not UTF-16 unit.
    const chars = text === undefined ? null : Array.from(text);
    const fits = chars && support.end <= chars.length && chars.slice(support.start, support.end).join("") === support.quote;
    const mark = el("mark", { id: "highlight", tabindex: "-1", text: support.quote });
    if (fits) {
      view.append(
        document.createTextNode(chars.slice(0, support.start).join("")),
        mark,
        document.createTextNode(chars.slice(support.end).join("")),
      );
    } else {
      view.append(
        el("p", { class: "muted", text: "The article text is not available; the quote alone:" }),
        el("p", {}, mark),
      );
    }
    $("back-to-quote").hidden = false;
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  }

  // ---------- files and samples ----------

  async function onFiles(event) {
    clearError();
    const files = [...event.target.files];
    const skipped = [];
    const loaded = [];
    for (const file of files) {
      const lower = file.name.toLowerCase();
      const suffix = ARTICLE_SUFFIXES.find((s) => lower.endsWith(s));
      if (!suffix) {
        skipped.push(file.name);
        continue;
      }
      const content = await file.text();
      const id = file.name.slice(0, file.name.length - suffix.length);
      loaded.push(suffix === ".txt" ? { id, text: content } : { id, html: content });
    }
    dropEmptyBlocks();
    for (const article of loaded) addBlock(article);
    event.target.value = "";
    setStatus(`Added ${loaded.length} file(s).`);
    if (skipped.length) {
      showError({ title: "Some files were skipped", detail: `Only .txt and .html files are read: ${skipped.join(", ")}` });
    }
  }

  function dropEmptyBlocks() {
    for (const block of $("article-list").querySelectorAll(".article-block")) {
      if (blockIsEmpty(block)) block.remove();
    }
  }

  async function onLoadSamples() {
    clearError();
    setStatus("Loading the sample articles…");
    try {
      const response = await fetch("/v1/samples", { headers: { accept: "application/json" } });
      if (!response.ok) throw new ProblemError(await problemFrom(response));
      const body = await response.json();
      replaceBlocks(body.articles);
      setStatus(`Loaded ${body.articles.length} sample articles.`);
    } catch (error) {
      setStatus("");
      showError(error instanceof ProblemError ? error.problem : { title: "Could not load the samples", detail: String(error) });
    }
  }

  // ---------- wiring ----------

  document.addEventListener("DOMContentLoaded", () => {
    addBlock();
    $("articles-form").addEventListener("submit", onSubmit);
    $("add-article").addEventListener("click", () => addBlock().querySelector("textarea").focus());
    $("clear-articles").addEventListener("click", () => {
      replaceBlocks([{}]);
      setStatus("All articles removed.");
    });
    $("load-samples").addEventListener("click", onLoadSamples);
    $("file-input").addEventListener("change", onFiles);
    $("back-to-quote").addEventListener("click", () => {
      if (state.lastQuote && document.body.contains(state.lastQuote)) state.lastQuote.focus();
    });
    document.body.dataset.ready = "true";
  });
})();
