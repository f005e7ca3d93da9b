// Automations: each rule, whether it runs, its sends and skips by reason in a range, and its revenue
// against its control group with the verdict in plain words (/app/api/automations: the figures of
// `kpis --actions`); and the `simulate` backtest run from the page (/app/api/simulate).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let data = null;
  let sim = null;

  function cents(v) {
    return v === null || v === undefined ? "–" : regua.money(v);
  }

  function pct(v) {
    return v === null || v === undefined ? "–" : new Intl.NumberFormat(regua.lang(), { maximumFractionDigits: 1 }).format(v) + "%";
  }

  function verdict(e) {
    const ci = e.incremental_ci_cents || [null, null];
    const uci = e.uplift_ci_cents || [null, null];
    return regua.t("verdict_" + e.verdict, {
      treated: regua.number(e.treated.customers),
      holdout: regua.number(e.holdout.customers),
      min: regua.number(data.min_group),
      low: cents(ci[0]),
      high: cents(ci[1]),
      uplift: cents(e.uplift_per_customer_cents),
      ulow: cents(uci[0]),
      uhigh: cents(uci[1]),
      total: cents(e.incremental_revenue_cents),
    });
  }

  function line(parent, key, vars, cls) {
    const p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = regua.t(key, vars);
    parent.appendChild(p);
    return p;
  }

  function render() {
    if (!data) return;
    const list = $("rules");
    list.replaceChildren();
    for (const r of data.rules) {
      const li = document.createElement("li");
      li.className = "card rule";
      li.dataset.rule = r.id;
      const h = document.createElement("h3");
      h.textContent = r.id;
      const state = document.createElement("span");
      state.className = "badge " + (r.running ? "on" : "off");
      state.textContent = regua.t(r.running ? "rule_on" : "rule_off");
      h.append(" ", state);
      li.appendChild(h);
      // A rule off in the configuration (the default pack, a toggle in the rules file) is turned
      // on there; the page turns on only what it turned off.
      if (r.running || r.switched_off) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "button toggle";
        b.textContent = regua.t(r.running ? "turn_off" : "turn_on");
        b.setAttribute("aria-label", b.textContent + ": " + r.id);
        b.addEventListener("click", () => toggle(r.id, !r.running));
        li.appendChild(b);
      }
      if (r.description) line(li, "rule_description", { text: r.description }, "muted");
      if (r.action) line(li, "rule_action", { action: regua.t("action_" + r.action), channel: regua.t("channel_" + r.channel) });
      const d = r.decisions;
      line(li, "rule_decisions", {
        fired: regua.number(d.fired || 0),
        holdout: regua.number(d.holdout || 0),
        skipped: regua.number(d.skipped || 0),
        cancelled: regua.number(d.cancelled || 0),
      }, "decisions");
      const reasons = Object.entries(r.skipped_by_reason);
      if (reasons.length) {
        const ul = document.createElement("ul");
        ul.className = "reasons";
        for (const [reason, n] of reasons) {
          const item = document.createElement("li");
          item.dataset.reason = reason;
          item.textContent = regua.t("skip_reason", { reason, count: regua.number(n) });
          ul.appendChild(item);
        }
        li.appendChild(ul);
      }
      const e = r.effect;
      if (e) {
        line(li, "rule_conversions", {
          converted: regua.number(e.treated.converted),
          treated: regua.number(e.treated.customers),
          rate: pct(e.treated.conversion_rate),
          hconverted: regua.number(e.holdout.converted),
          holdout: regua.number(e.holdout.customers),
          hrate: pct(e.holdout.conversion_rate),
        });
        line(li, "rule_incremental", { total: cents(e.incremental_revenue_cents) });
        line(li, "x", {}, "verdict").textContent = verdict(e);
      } else {
        line(li, "rule_no_sends", {}, "muted");
      }
      list.appendChild(li);
    }
    renderSim();
  }

  async function load() {
    const params = new URLSearchParams(location.search);
    const q = ["from", "to"].filter((k) => params.get(k)).map((k) => k + "=" + encodeURIComponent(params.get(k)));
    data = await regua.get("/app/api/automations" + (q.length ? "?" + q.join("&") : ""));
  }

  async function toggle(id, running) {
    try {
      await regua.post("/app/api/rules/" + encodeURIComponent(id), { running });
      await load();
      render();
      $("status").textContent = regua.t(running ? "turned_on" : "turned_off", { rule: id });
    } catch (e) {
      $("status").textContent = regua.t("error", { message: e.message });
    }
  }

  function renderSim() {
    if (!sim) return;
    $("sim-summary").textContent = regua.t("sim_summary", {
      from: regua.date(sim.from),
      to: regua.date(sim.to),
      customers: regua.number(sim.customers),
      sales: regua.number(sim.sales),
      decisions: regua.number(sim.decisions),
    });
    const body = $("sim-totals").tBodies[0];
    body.replaceChildren();
    for (const [id, t] of Object.entries(sim.totals)) {
      const tr = body.insertRow();
      tr.dataset.rule = id;
      for (const v of [id, t.fired, t.messages, t.tasks, t.skipped, t.cancelled, t.holdout])
        tr.insertCell().textContent = typeof v === "number" ? regua.number(v) : v;
    }
    $("sim-totals").hidden = false;
  }

  regua.ready.then(async () => {
    document.addEventListener("regua:lang", render);
    $("simulate").addEventListener("submit", async (event) => {
      event.preventDefault();
      $("status").textContent = regua.t("simulating");
      try {
        sim = await regua.post("/app/api/simulate", { from: $("sim-from").value, to: $("sim-to").value });
        renderSim();
        $("status").textContent = regua.t("simulated");
      } catch (e) {
        $("status").textContent = regua.t("error", { message: e.message });
      }
    });
    try {
      await load();
      $("from").value = data.from;
      $("to").value = data.to;
      $("sim-from").value = data.from;
      $("sim-to").value = data.to;
      render();
    } catch (e) {
      $("status").textContent = regua.t("error", { message: e.message });
    }
  });
})();
