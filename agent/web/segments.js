// Segments: the 3x3 lifecycle matrix with counts and shares (/app/api/segments, what
// `segments --all --json` prints), the other named and custom segments, and a segment's list with
// its CSV export (the rows of `customers --segment NAME --csv`).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let data = null;
  let open = null;

  function percent(share) {
    return new Intl.NumberFormat(regua.lang(), { maximumFractionDigits: 1 }).format(share) + "%";
  }

  function segmentButton(name, label, count, share) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "cell";
    b.dataset.segment = name;
    const title = document.createElement("span");
    title.className = "cell-name";
    title.textContent = label;
    const n = document.createElement("span");
    n.className = "cell-count";
    n.textContent = regua.number(count) + (share === undefined ? "" : " · " + percent(share));
    b.append(title, n);
    b.addEventListener("click", () => showList(name, label));
    return b;
  }

  function render() {
    if (!data) return;
    $("summary").textContent = regua.t("matrix_summary", {
      customers: regua.number(data.customers),
      active: percent(data.active_share),
    });
    const byCode = Object.fromEntries(data.cells.map((c) => [c.code, c]));
    // Rows: loyal at the top; columns: active to inactive (docs/segments.md).
    const rows = [...new Set(data.cells.map((c) => c.purchases))].reverse();
    const cols = [...new Set(data.cells.map((c) => c.days_since_last))];
    const head = $("matrix").tHead.rows[0];
    while (head.cells.length > 1) head.deleteCell(1);
    for (const d of cols) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = regua.t("days", { range: d });
      head.appendChild(th);
    }
    const body = $("matrix").tBodies[0];
    body.replaceChildren();
    for (const p of rows) {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = regua.t("purchases", { range: p });
      tr.appendChild(th);
      for (const d of cols) {
        const cell = data.cells.find((c) => c.purchases === p && c.days_since_last === d);
        const td = tr.insertCell();
        td.appendChild(segmentButton(cell.code, byCode[cell.code].name, cell.count, cell.share));
      }
    }
    const named = $("named");
    named.replaceChildren();
    for (const s of data.segments || []) {
      const li = document.createElement("li");
      li.appendChild(segmentButton(s.name, s.title, s.count));
      named.appendChild(li);
    }
    if (open) showList(open.name, open.label);
  }

  async function showList(name, label) {
    open = { name, label };
    try {
      const list = await regua.get("/app/api/segment?name=" + encodeURIComponent(name));
      $("list-title").textContent = regua.t("list_title", { name: label, count: regua.number(list.count) });
      $("export").href = "/app/api/segment.csv?name=" + encodeURIComponent(name);
      const rows = $("rows");
      rows.replaceChildren();
      for (const c of list.customers) {
        const tr = rows.insertRow();
        for (const text of [
          c.name || c.pos_id || "#" + c.customer_id,
          c.mobile || "",
          c.last_purchase ? regua.date(c.last_purchase) : "",
          regua.number(c.purchases),
          regua.money(c.total_spent_cents),
        ]) {
          tr.insertCell().textContent = text;
        }
      }
      $("list").hidden = false;
    } catch (e) {
      $("status").textContent = regua.t("error", { message: e.message });
    }
  }

  regua.ready.then(async () => {
    document.addEventListener("regua:lang", render);
    try {
      data = await regua.get("/app/api/segments");
      render();
    } catch (e) {
      $("status").textContent = regua.t("error", { message: e.message });
    }
  });
})();
