// KPIs: the retention figures per group (GET /api/v1/kpis: network, region, format or store; a
// store manager sees its store) for a range, a chart per figure over the periods with one line per
// group, and the stores ranked (GET /api/v1/rankings; network admins and analysts).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let kpis = null;
  let ranking = null;

  const cell = regua.cell;

  function groupName(g) {
    if (kpis.group === "network") return regua.t("group_network");
    return g.group || regua.t("group_none");
  }

  function render() {
    if (!kpis) return;
    const body = $("figures").tBodies[0];
    body.replaceChildren();
    for (const g of kpis.groups) {
      const t = g.total;
      const tr = document.createElement("tr");
      tr.dataset.group = g.group;
      cell(tr, groupName(g));
      cell(tr, regua.percent(t.retention_rate), "num");
      cell(tr, regua.percent(t.churn_rate), "num");
      cell(tr, regua.percent(t.active_base_share), "num");
      cell(tr, regua.number(t.orders), "num orders");
      cell(tr, regua.money(t.revenue_cents), "num");
      cell(tr, regua.money(t.average_ticket_cents), "num");
      cell(tr, regua.number(t.new_customers), "num");
      body.appendChild(tr);
    }
    const labels = (kpis.groups[0] ? kpis.groups[0].periods : []).map((p) => regua.date(p.from));
    const chart = (id, key, title, format) =>
      regua.lineChart($(id), {
        title: regua.t(title),
        labels,
        series: kpis.groups.map((g) => ({ name: groupName(g), values: g.periods.map((p) => p[key]) })),
        format,
        noData: regua.t("no_figures"),
      });
    chart("chart-retention", "retention_rate", "chart_retention", regua.percent);
    chart("chart-active", "active_base_share", "chart_active", regua.percent);
    chart("chart-revenue", "revenue_cents", "chart_revenue", regua.money);
    chart("chart-new", "new_customers", "chart_new", regua.number);
    renderRanking();
  }

  function renderRanking() {
    if (!ranking) return;
    const body = $("rankings").tBodies[0];
    body.replaceChildren();
    for (const r of ranking.stores) {
      const tr = document.createElement("tr");
      tr.dataset.store = r.store;
      cell(tr, r.rank === null ? "–" : String(r.rank), "num");
      cell(tr, r.store);
      cell(tr, regua.percent(r.retention_rate), "num");
      cell(tr, regua.percent(r.active_base_share), "num");
      cell(tr, regua.money(r.revenue_cents), "num");
      cell(tr, regua.number(r.open_tasks), "num");
      cell(tr, regua.number(r.overdue_tasks), "num");
      body.appendChild(tr);
    }
  }

  async function load() {
    const me = await regua.me;
    const range = "from=" + $("from").value + "&to=" + $("to").value;
    const group = regua.may(me, "network_admin analyst") ? "&group=" + $("group").value : "";
    $("status").textContent = regua.t("loading");
    try {
      kpis = await regua.get("/api/v1/kpis?" + range + "&by=" + $("by").value + group);
      ranking = regua.may(me, "network_admin analyst")
        ? await regua.get("/api/v1/rankings?" + range + "&sort=" + $("sort").value)
        : null;
      $("status").textContent = "";
      render();
    } catch (e) {
      $("status").textContent = regua.t("load_failed", { error: e.message });
    }
  }

  $("from").value = regua.day(89);
  $("to").value = regua.day(0);
  $("by").value = "week";
  $("range").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("sort").addEventListener("change", load);
  regua.ready.then(load);
  document.addEventListener("regua:lang", render);
})();
