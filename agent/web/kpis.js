// KPIs: the figures of `kpis --json` for a range (/app/api/kpis), the charts the agent draws as SVG
// (/app/api/kpis/chart.svg), and the data quality and sync state of `status --json`
// (/app/api/status) with what to fix.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const CHARTS = ["retention", "active_base", "new_returning", "revenue_per_action"];
  let kpis = null;
  let status = null;

  function percent(v) {
    return v === null || v === undefined ? "–" : new Intl.NumberFormat(regua.lang(), { maximumFractionDigits: 1 }).format(v) + "%";
  }

  function share(v) {
    return v === null || v === undefined ? "–" : percent(v * 100);
  }

  function figure(list, key, value, name) {
    const li = document.createElement("li");
    li.className = "figure";
    if (name) li.dataset.figure = name;
    const n = document.createElement("strong");
    n.textContent = value;
    const label = document.createElement("span");
    label.textContent = regua.t(key);
    li.append(n, label);
    list.appendChild(li);
  }

  function renderFigures() {
    if (!kpis) return;
    const t = kpis.total;
    const list = $("figures");
    list.replaceChildren();
    figure(list, "fig_retention", percent(t.retention_rate), "retention_rate");
    figure(list, "fig_active", regua.number(t.customers_at_end), "customers_at_end");
    figure(list, "fig_active_share", percent(t.active_base_share), "active_base_share");
    figure(list, "fig_new", regua.number(t.new_customers), "new_customers");
    figure(list, "fig_returning", regua.number(t.returning_customers), "returning_customers");
    figure(list, "fig_revenue", regua.money(t.revenue_cents), "revenue_cents");
    figure(list, "fig_orders", regua.number(t.orders), "orders");
    figure(list, "fig_churn", percent(t.churn_rate), "churn_rate");
  }

  function renderCharts() {
    if (!kpis) return;
    const q = "from=" + kpis.from + "&to=" + kpis.to + "&by=" + kpis.by + "&lang=" + regua.lang();
    for (const c of CHARTS) {
      const img = $("chart-" + c);
      img.alt = regua.t("chart_" + c);
      img.src = "/app/api/kpis/chart.svg?chart=" + c + "&" + q;
    }
  }

  function fix(key, vars) {
    const li = document.createElement("li");
    li.textContent = regua.t(key, vars);
    $("fixes").appendChild(li);
  }

  function renderQuality() {
    if (!status) return;
    const q = status.quality;
    const th = status.thresholds;
    const list = $("quality");
    list.replaceChildren();
    figure(list, "q_identified", share(q.identified_sales_share));
    figure(list, "q_mobile", share(q.valid_mobile_share));
    figure(list, "q_cpf", share(q.valid_cpf_share));
    figure(list, "q_email", share(q.valid_email_share));
    figure(list, "q_duplicates", regua.number(q.duplicate_groups));
    figure(list, "q_quarantined", regua.number(q.quarantined));
    $("fixes").replaceChildren();
    if (q.sales > 0 && q.identified_sales_share < th.identified_sales_share)
      fix("fix_identified", { share: share(q.identified_sales_share), min: share(th.identified_sales_share) });
    if (q.customers > 0 && q.valid_mobile_share < th.valid_mobile_share)
      fix("fix_mobile", { share: share(q.valid_mobile_share), min: share(th.valid_mobile_share) });
    if (q.invalid_phone > 0) fix("fix_invalid_phone", { count: regua.number(q.invalid_phone) });
    if (q.invalid_cpf > 0) fix("fix_invalid_cpf", { count: regua.number(q.invalid_cpf) });
    if (q.customers > 0 && q.valid_email_share < th.valid_email_share)
      fix("fix_email", { share: share(q.valid_email_share) });
    if (q.duplicate_groups > 0) fix("fix_duplicates", { count: regua.number(q.duplicate_groups) });
    for (const p of q.placeholders) fix("fix_placeholder", { value: p.value, count: regua.number(p.records) });
    for (const r of q.quarantined_by_reason) fix("fix_quarantine", { count: regua.number(r.count), reason: r.reason });
    if ($("fixes").children.length === 0) fix("fix_nothing", {});
  }

  function renderSync() {
    if (!status) return;
    const s = status.sync;
    const el = $("sync");
    el.dataset.state = s.configured ? s.state : "off";
    if (!s.configured) {
      el.textContent = regua.t("sync_off");
      return;
    }
    el.textContent = regua.t("sync_state", {
      state: s.state,
      since: s.state_since ? regua.dateTime(s.state_since) : "–",
      depth: regua.number(s.outbox_depth),
      acked: s.last_ack.at ? regua.dateTime(s.last_ack.at) : "–",
    }) + (s.alarm ? " " + regua.t("sync_alarm", { alarm: s.alarm }) : "") + (s.error ? " " + s.error : "");
  }

  function render() {
    renderFigures();
    renderCharts();
    renderQuality();
    renderSync();
  }

  regua.ready.then(async () => {
    document.addEventListener("regua:lang", render);
    const params = new URLSearchParams(location.search);
    const q = ["from", "to", "by"].filter((k) => params.get(k)).map((k) => k + "=" + encodeURIComponent(params.get(k)));
    try {
      kpis = await regua.get("/app/api/kpis" + (q.length ? "?" + q.join("&") : ""));
      $("from").value = kpis.from;
      $("to").value = kpis.to;
      $("by").value = kpis.by;
      renderFigures();
      renderCharts();
    } catch (e) {
      $("status").textContent = regua.t("error", { message: e.message });
    }
    try {
      status = await regua.get("/app/api/status");
      renderQuality();
      renderSync();
    } catch (e) {
      $("status").textContent = regua.t("error", { message: e.message });
    }
  });
})();
