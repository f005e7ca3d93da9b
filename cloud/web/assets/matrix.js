// The lifecycle matrix (GET /api/v1/matrix) at the end of a day, per group: nine cells, loyal at
// the top and active on the left, each with its customers and share, and the active base's share.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const ROWS = ["loyal", "promising", "new"];
  const COLUMNS = ["active", "slipping", "inactive"];
  let matrix = null;

  function render() {
    if (!matrix) return;
    const out = $("matrices");
    out.replaceChildren();
    for (const g of matrix.groups) {
      const card = document.createElement("section");
      card.className = "card";
      card.dataset.group = g.group;
      const h = document.createElement("h3");
      h.textContent = matrix.group === "network" ? regua.t("group_network") : g.group || regua.t("group_none");
      const summary = document.createElement("p");
      summary.className = "summary";
      summary.textContent = regua.t("matrix_summary", {
        customers: regua.number(g.customers),
        share: regua.percent(g.active_share),
        verdict: regua.t(g.healthy ? "healthy" : "unhealthy"),
      });
      const table = document.createElement("table");
      table.className = "matrix";
      const head = table.createTHead().insertRow();
      head.appendChild(document.createElement("th"));
      for (const c of COLUMNS) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = regua.t("col_" + c);
        head.appendChild(th);
      }
      const body = table.createTBody();
      for (const r of ROWS) {
        const row = body.insertRow();
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = regua.t("row_" + r);
        row.appendChild(th);
        for (const c of COLUMNS) {
          const n = g.cells[r + "_" + c] || 0;
          const td = row.insertCell();
          td.dataset.cell = r + "_" + c;
          const strong = document.createElement("strong");
          strong.textContent = regua.number(n);
          const share = document.createElement("span");
          share.className = "muted";
          share.textContent = g.customers ? regua.percent((100 * n) / g.customers) : "–";
          td.append(strong, share);
        }
      }
      card.append(h, summary, table);
      out.appendChild(card);
    }
  }

  async function load() {
    const me = await regua.me;
    const group = regua.may(me, "network_admin analyst") ? "&group=" + $("group").value : "";
    try {
      matrix = await regua.get("/api/v1/matrix?day=" + $("day").value + group);
      $("status").textContent = "";
      render();
    } catch (e) {
      $("status").textContent = regua.t("load_failed", { error: e.message });
    }
  }

  $("day").value = regua.day(0);
  $("matrix-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  regua.ready.then(load);
  document.addEventListener("regua:lang", render);
})();
