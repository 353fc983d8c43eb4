/* The behaviour of a sanctiongraph view: draws the network and fills the filters, the search and the evidence panel.
   Text that comes from the graph is only ever set with textContent, never parsed as HTML. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("sg-data").textContent);
  const GLYPHS = { dot: "●", square: "■", diamond: "◆", star: "★", triangle: "▲", triangleDown: "▼", hexagon: "⬢" };
  const started = performance.now();
  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, data.options);
  const view = { network: network, nodes: nodes, edges: edges, data: data, stabilisedAt: null, layoutMs: null };
  window.sgView = view;

  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const edgesOf = new Map(data.nodes.map((n) => [n.id, []]));
  data.edges.forEach((e) => { edgesOf.get(e.from).push(e); if (e.to !== e.from) edgesOf.get(e.to).push(e); });
  const hidden = { nodes: new Map(), edges: new Map() };
  const enabled = {
    cls: new Set(data.classes.map((_, i) => i)),
    rel: new Set(data.relations.map((_, i) => i)),
    src: new Set(data.sources.map((_, i) => i)),
  };
  const panel = document.getElementById("panel");
  const status = document.getElementById("status");
  const timeFrom = document.getElementById("time-from");
  const timeTo = document.getElementById("time-to");

  function el(tag, text, className) {
    const element = document.createElement(tag);
    if (text !== undefined && text !== null) element.textContent = text;
    if (className) element.className = className;
    return element;
  }

  function glyph(style) {
    const span = el("span", GLYPHS[style.shape] || GLYPHS.dot, "glyph");
    span.style.color = style.color;
    return span;
  }

  function counted(items, count) {
    return items + " " + count.toLocaleString("en");
  }

  // --- filters

  function inTime(t) {
    const from = timeFrom.value, to = timeTo.value;
    if (!t.length || (!from && !to)) return true;
    return t.some((span) => (!to || span[0] <= to) && (!from || span[1] >= from));
  }

  function inSources(src) {
    return !src.length || src.some((s) => enabled.src.has(s));
  }

  function apply() {
    const nodeChanges = [], edgeChanges = [], shown = new Set();
    data.nodes.forEach((n) => {
      const show = enabled.cls.has(n.cls) && inSources(n.src) && inTime(n.t);
      if (show) shown.add(n.id);
      if ((hidden.nodes.get(n.id) || false) === show) nodeChanges.push({ id: n.id, hidden: !show });
      hidden.nodes.set(n.id, !show);
    });
    let shownEdges = 0;
    data.edges.forEach((e) => {
      const show = enabled.rel.has(e.rel) && inSources(e.src) && inTime(e.t) && shown.has(e.from) && shown.has(e.to);
      if (show) shownEdges += 1;
      if ((hidden.edges.get(e.id) || false) === show) edgeChanges.push({ id: e.id, hidden: !show });
      hidden.edges.set(e.id, !show);
    });
    nodes.update(nodeChanges);
    edges.update(edgeChanges);
    view.shown = { nodes: shown.size, edges: shownEdges };
    showStatus();
  }

  function showStatus() {
    const total = data.nodes.length + " nodes, " + data.edges.length + " edges";
    const shown = view.shown && (view.shown.nodes !== data.nodes.length || view.shown.edges !== data.edges.length)
      ? "; showing " + view.shown.nodes + " nodes, " + view.shown.edges + " edges" : "";
    const layout = view.layoutMs === null ? "; laying out…" : "; laid out in " + (view.layoutMs / 1000).toFixed(1) + " s";
    status.textContent = total + shown + layout;
  }

  function choices(listId, rows, kind, decorate) {
    const list = document.getElementById(listId);
    rows.forEach((row, index) => {
      const item = el("li");
      const box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.id = kind + "-" + index;
      box.dataset.kind = kind;
      box.addEventListener("change", () => {
        if (box.checked) enabled[kind].add(index); else enabled[kind].delete(index);
        apply();
      });
      const label = el("label");
      label.htmlFor = box.id;
      if (decorate) label.append(decorate(row));
      label.append(document.createTextNode(row.label || row.title));
      item.append(box, label);
      if (row.count !== undefined) item.append(el("span", String(row.count), "count"));
      list.append(item);
    });
  }

  choices("classes", data.classes, "cls", glyph);
  choices("relations", data.relations, "rel");
  choices("sources", data.sources, "src");
  document.querySelectorAll(".line.claim").forEach((line) => { line.style.borderTopColor = data.claimEdgeColor; });
  const days = data.nodes.flatMap((n) => n.t.flat()).sort();
  [timeFrom, timeTo].forEach((input) => {
    if (days.length) { input.min = days[0]; input.max = days[days.length - 1]; }
    input.addEventListener("change", apply);
  });
  document.getElementById("reset").addEventListener("click", () => {
    document.querySelectorAll("#controls input[type=checkbox]").forEach((box) => { box.checked = true; });
    ["cls", "rel", "src"].forEach((kind) => { data[{ cls: "classes", rel: "relations", src: "sources" }[kind]].forEach((_, i) => enabled[kind].add(i)); });
    timeFrom.value = timeTo.value = "";
    apply();
  });

  // --- the evidence panel

  function sentence(text, quote) {
    const block = el("blockquote", null, "sentence");
    const at = quote ? text.indexOf(quote) : -1;
    if (at < 0) {
      block.textContent = text;
    } else {
      block.append(document.createTextNode(text.slice(0, at)), el("mark", quote), document.createTextNode(text.slice(at + quote.length)));
    }
    return block;
  }

  function range(earliest, latest) {
    return earliest === latest ? earliest : earliest + " – " + latest;
  }

  function field(list, term, value) {
    list.append(el("dt", term));
    const dd = el("dd");
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    list.append(dd);
  }

  function sourceFields(list, index) {
    const source = data.sources[index];
    field(list, "Source", source.title);
    if (source.publisher) field(list, "Publisher", source.publisher);
    if (source.published) field(list, "Published", range(source.published[0], source.published[1]));
    if (source.address && /^https?:\/\//i.test(source.address)) {
      const link = el("a", source.address);
      link.href = source.address;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      field(list, "Address", link);
    } else if (source.graph) {
      field(list, "Address", source.address || "unknown");
    }
  }

  function evidence(container, record) {
    record.evidence.forEach((e) => {
      e.sentences.forEach((s) => container.append(sentence(s, e.quote)));
      if (!e.sentences.some((s) => s.includes(e.quote))) container.append(el("p", "“" + e.quote + "”", "quote"));
    });
  }

  function claimLine(claim) {
    const roles = claim.roles;
    let text = "Said by " + (roles.claimant || ["an unnamed speaker"]).join(", ");
    if (roles.audience) text += " to " + roles.audience.join(", ");
    if (roles.modality) text += " (" + roles.modality.join(", ") + ")";
    if (roles.reporter) text += "; reported by " + roles.reporter.join(" → ");
    return text;
  }

  function recordSection(record, heading) {
    const section = el("section", null, "record");
    if (heading) section.append(el("h3", record.label));
    if (record.isClaim) {
      section.append(el("p", "Claim. " + claimLine(record) + ".", "banner claim"));
    } else if (record.claims.length) {
      section.append(el("p", "Reported claim, attributed to " + record.attributedTo.join(", ") + ": the source relays it and does not assert it.", "banner reported"));
      record.claims.forEach((c) => {
        const claim = data.records[c];
        section.append(el("p", claimLine(claim) + ":"));
        evidence(section, claim);
      });
    } else {
      section.append(el("p", "Stated by the source in its own voice" + (record.attributedTo.length ? " (" + record.attributedTo.join(", ") + ")" : "") + ".", "banner"));
    }
    section.append(el("h3", "Evidence"));
    evidence(section, record);
    const list = el("dl");
    sourceFields(list, record.source);
    record.times.forEach((t) => field(list, t.property, (t.asWritten ? "“" + t.asWritten + "”, " : "") + range(t.earliest, t.latest)));
    if (!record.times.length) field(list, "Date", "none stated; placed at the source's publication");
    section.append(list);
    return section;
  }

  function header(title, classRow, iri) {
    panel.replaceChildren(el("h2", title));
    const meta = el("p", null, "meta");
    if (classRow) meta.append(glyph(classRow), document.createTextNode(classRow.label));
    panel.append(meta);
    if (iri) panel.append(el("p", iri, "iri"));
  }

  function originNote(edge) {
    const list = el("dl");
    edge.src.forEach((s) => {
      const source = data.sources[s];
      field(list, "In", source.title);
    });
    const note = edge.src.some((s) => data.sources[s].graph === "")
      ? "Derived by the view's query: not a triple of the graph, so it has no evidence of its own."
      : "A link of the shared registry, not of one source: it has no evidence sentence.";
    return [el("p", note, "banner"), list];
  }

  function showNode(id) {
    const n = nodeById.get(id);
    header(n.label, data.classes[n.cls], n.iri);
    if (n.aliases.length) panel.append(el("p", "Also: " + n.aliases.join("; "), "meta"));
    if (n.rec !== null) {
      panel.append(recordSection(data.records[n.rec], false));
    }
    const links = edgesOf.get(id);
    if (!links.length) return;
    panel.append(el("h3", counted("Links in this view:", links.length)));
    const seen = new Set();
    links.forEach((e) => {
      const other = nodeById.get(e.from === id ? e.to : e.from);
      const line = el("p", (e.from === id ? "→ " : "← ") + e.label + " " + other.label, "meta");
      if (e.rec.length && e.rec[0] !== n.rec && !seen.has(e.rec[0])) {
        seen.add(e.rec[0]);
        const section = recordSection(data.records[e.rec[0]], true);
        section.insertBefore(line, section.children[1]);
        panel.append(section);
      } else {
        panel.append(line);
      }
    });
  }

  function showEdge(id) {
    const e = edges.get(id);
    const from = nodeById.get(e.from), to = nodeById.get(e.to);
    header(from.label + " → " + e.label + " → " + to.label, null, data.relations[e.rel].iri);
    panel.append(el("p", "Relation: " + data.relations[e.rel].label, "meta"));
    if (e.rec.length) {
      e.rec.forEach((r) => panel.append(recordSection(data.records[r], true)));
    } else {
      panel.append(...originNote(e));
    }
  }

  function select(params) {
    if (params.nodes && params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges && params.edges.length) showEdge(params.edges[0]);
  }
  network.on("click", select);
  view.select = select;
  view.nodeIdByIri = (iri) => { const n = data.nodes.find((x) => x.iri === iri); return n ? n.id : null; };

  // --- search

  const names = document.getElementById("names");
  [...new Set(data.nodes.flatMap((n) => [n.label, ...n.aliases]))].sort().forEach((name) => {
    const option = el("option");
    option.value = name;
    names.append(option);
  });

  function find(text) {
    const message = document.getElementById("find-message");
    const query = text.trim().toLowerCase();
    if (!query) return null;
    const rank = (n) => {
      const label = n.label.toLowerCase();
      if (label === query || n.aliases.some((a) => a.toLowerCase() === query)) return 0;
      if (label.startsWith(query)) return 1;
      if (label.includes(query)) return 2;
      return n.aliases.some((a) => a.toLowerCase().includes(query)) ? 3 : null;
    };
    let best = null, bestRank = null, matches = 0;
    data.nodes.forEach((n) => {
      const r = rank(n);
      if (r === null) return;
      matches += 1;
      if (bestRank === null || r < bestRank) { best = n; bestRank = r; }
    });
    if (!best) {
      message.textContent = "No node is called “" + text + "”.";
      return null;
    }
    message.textContent = matches + (matches > 1 ? " matches; showing " : " match: ") + best.label
      + (hidden.nodes.get(best.id) ? " (hidden by the filters; “Show everything” brings it back)" : "");
    network.selectNodes([best.id]);
    network.focus(best.id, { scale: 1.2, animation: { duration: 300 } });
    showNode(best.id);
    return best.id;
  }
  document.getElementById("find").addEventListener("submit", (event) => {
    event.preventDefault();
    find(document.getElementById("search").value);
  });
  view.find = find;

  // --- layout: seeded, bounded, and frozen once stable

  network.once("stabilizationIterationsDone", () => {
    network.setOptions({ physics: { enabled: false } });
    view.stabilisedAt = performance.now();
    view.layoutMs = view.stabilisedAt - started;
    document.body.dataset.stable = "true";
    showStatus();
  });
  apply();
})();
