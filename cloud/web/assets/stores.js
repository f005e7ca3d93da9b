// Stores: every store the token may see with its health (GET /api/v1/stores: last seen, sync lag,
// outbox, agent and rule-pack versions) and its flags, and the network's sales and new customers
// per week over the last twelve weeks (GET /api/v1/kpis?by=week), drawn by chart.js.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let stores = null;
  let kpis = null;

  const cell = regua.cell;

  function flag(td, key, kind) {
    const span = document.createElement("span");
    span.className = "flag " + kind;
    span.dataset.flag = key;
    span.textContent = regua.t("flag_" + key);
    td.appendChild(span);
  }

  function render() {
    if (!stores) return;
    const body = $("stores").tBodies[0];
    body.replaceChildren();
    let silent = 0;
    for (const s of stores.stores) {
      const tr = document.createElement("tr");
      tr.dataset.store = s.store;
      const name = cell(tr, s.name ? s.name + " (" + s.store + ")" : s.store);
      name.className = "store-name";
      cell(tr, [s.region, s.format].filter(Boolean).join(" / ") || "–");
      cell(tr, regua.time(s.last_seen));
      cell(tr, regua.duration(s.sync_lag_s), "num");
      cell(tr, regua.number(s.outbox_depth), "num");
      cell(tr, s.agent || "–");
      cell(tr, s.rules_version ? String(s.rules_version) : "–", "num rules-version");
      const flags = cell(tr, "");
      if (s.silent) flag(flags, "silent", "bad"), silent++;
      if (s.behind) flag(flags, "behind", "warn");
      if (s.lost > 0) flag(flags, "lost", "bad");
      if (!s.silent && !s.behind && s.lost === 0) flag(flags, "ok", "ok");
      body.appendChild(tr);
    }
    $("summary").textContent = regua.t("stores_summary", {
      network: stores.network,
      count: stores.stores.length,
      silent,
    });
    if (kpis) {
      const groups = kpis.groups;
      const labels = (groups[0] ? groups[0].periods : []).map((p) => regua.date(p.from));
      const sum = (key) => labels.map((_, i) => groups.reduce((n, g) => n + (g.periods[i][key] || 0), 0));
      regua.lineChart($("network-chart"), {
        title: regua.t("network_chart_title"),
        labels,
        series: [
          { name: regua.t("fig_orders"), values: sum("orders") },
          { name: regua.t("fig_new"), values: sum("new_customers") },
        ],
        format: regua.number,
        noData: regua.t("no_figures"),
      });
    }
  }

  async function load() {
    await regua.me;
    try {
      stores = await regua.get("/api/v1/stores");
      kpis = await regua.get("/api/v1/kpis?by=week&from=" + regua.day(83) + "&to=" + regua.day(0));
      render();
    } catch (e) {
      $("summary").textContent = regua.t("load_failed", { error: e.message });
    }
  }

  regua.ready.then(load);
  document.addEventListener("regua:lang", render);
})();
