// Customers: search by name, phone or CPF (/app/api/customers?q=), a customer's page
// (/customers?id=N: details, consent per channel with the answer given at the counter, and the
// timeline of sales, messages, tasks, segment changes and rule decisions), and duplicates merged
// after a dry run the person confirms.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const CHANNELS = ["sms", "whatsapp", "email"];
  let shown = null; // the customer page's data
  let duplicates = null;
  let pendingMerge = null;

  function say(text) {
    $("status").textContent = text;
  }

  function fail(e) {
    say(regua.t("error", { message: e.message }));
  }

  function label(c) {
    return c.name || c.pos_id || "#" + c.id;
  }

  async function search(q) {
    try {
      const found = await regua.get("/app/api/customers?q=" + encodeURIComponent(q));
      const list = $("results");
      list.replaceChildren();
      for (const c of found.customers) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = "/customers?id=" + c.id;
        a.className = "result";
        const name = document.createElement("strong");
        name.textContent = label(c);
        const facts = document.createElement("span");
        facts.className = "muted";
        facts.textContent = [
          c.pos_id ? regua.t("pos_id", { id: c.pos_id }) : "#" + c.id,
          c.phone || "",
          regua.t("sales_count", { count: regua.number(c.sales), total: regua.money(c.total_cents) }),
          c.erased ? regua.t("erased_short") : "",
        ]
          .filter(Boolean)
          .join(" · ");
        a.append(name, facts);
        li.appendChild(a);
        list.appendChild(li);
      }
      say(regua.t(found.customers.length ? "found" : "found_none", { count: found.customers.length }));
    } catch (e) {
      fail(e);
    }
  }

  function detail(key, value) {
    if (value === null || value === undefined || value === "") return;
    const dt = document.createElement("dt");
    dt.textContent = regua.t(key);
    const dd = document.createElement("dd");
    dd.textContent = value;
    $("details").append(dt, dd);
  }

  function formatCpf(d) {
    return /^\d{11}$/.test(d) ? d.replace(/(\d{3})(\d{3})(\d{3})(\d{2})/, "$1.$2.$3-$4") : d;
  }

  function renderConsents() {
    const body = $("consents").tBodies[0];
    body.replaceChildren();
    const c = shown.customer;
    $("consents").closest(".table-wrap").hidden = c.erased;
    for (const consent of shown.consents) {
      const tr = body.insertRow();
      tr.dataset.channel = consent.channel;
      tr.insertCell().textContent = regua.t("channel_" + consent.channel);
      const state = tr.insertCell();
      state.className = "consent-state";
      state.textContent = regua.t("consent_" + consent.state);
      tr.insertCell().textContent = consent.at
        ? regua.t("consent_given", { source: consent.source, when: regua.dateTime(consent.at) })
        : "";
      tr.insertCell().textContent = regua.t(consent.messages_allowed ? "yes" : "no");
      const actions = tr.insertCell();
      actions.className = "actions";
      for (const [granted, key] of [
        [true, "consent_grant"],
        [false, "consent_refuse"],
      ]) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "button " + (granted ? "grant" : "refuse");
        b.textContent = regua.t(key);
        b.setAttribute("aria-label", regua.t(key) + ": " + regua.t("channel_" + consent.channel));
        b.setAttribute("aria-pressed", String(consent.state === (granted ? "granted" : "refused")));
        b.addEventListener("click", () => setConsent(consent.channel, granted));
        actions.appendChild(b);
      }
    }
  }

  function timelineText(e) {
    const money = (cents) => regua.money(cents);
    switch (e.kind) {
      case "sale":
        return regua.t("tl_sale", { sale: e.sale, total: money(e.total_cents) });
      case "cancellation":
        return regua.t("tl_cancellation", { sale: e.sale, total: money(e.total_cents) });
      case "message":
        return regua.t("tl_message", {
          channel: regua.t("channel_" + e.channel),
          rule: e.rule,
          state: regua.t("message_" + e.state),
        });
      case "task":
        return regua.t("tl_task", { title: e.text, rule: e.rule, state: regua.t("taskstate_" + e.state) });
      case "segment": {
        const previous = e.previous_names[regua.lang()] || "-";
        return e.cell
          ? regua.t("tl_segment", { cell: e.names[regua.lang()], previous })
          : regua.t("tl_segment_left", { previous });
      }
      case "decision":
        return regua.t("tl_decision", { rule: e.rule, decision: regua.t("decision_" + e.decision), reason: e.reason });
    }
    return e.kind;
  }

  function renderTimeline() {
    const list = $("timeline");
    list.replaceChildren();
    for (const e of shown.timeline) {
      const li = document.createElement("li");
      li.className = "tl tl-" + e.kind;
      li.dataset.kind = e.kind;
      const when = document.createElement("time");
      when.dateTime = e.at;
      when.textContent = regua.dateTime(e.at);
      const what = document.createElement("span");
      what.className = "tl-what";
      what.textContent = timelineText(e);
      li.append(when, what);
      const more = e.kind === "decision" ? e.detail : e.kind === "message" ? e.text : e.outcome;
      if (more) {
        const p = document.createElement("p");
        p.className = "muted";
        p.textContent = more;
        li.appendChild(p);
      }
      list.appendChild(li);
    }
    if (shown.timeline.length === 0) {
      const li = document.createElement("li");
      li.textContent = regua.t("timeline_empty");
      list.appendChild(li);
    }
  }

  function renderCustomer() {
    if (!shown) return;
    const c = shown.customer;
    $("customer-name").textContent = c.erased ? "#" + c.id : label(c);
    $("erased").hidden = !c.erased;
    $("details").replaceChildren();
    detail("field_pos_id", c.pos_id);
    detail("field_phone", c.phone);
    detail("field_email", c.email);
    detail("field_cpf", c.cpf ? formatCpf(c.cpf) : null);
    detail("field_birthday", c.birthday_valid ? regua.date(c.birthday) : c.birthday);
    detail("field_sales", regua.t("sales_count", { count: regua.number(c.sales), total: regua.money(c.total_cents) }));
    detail("field_erased_at", c.erased_at ? regua.dateTime(c.erased_at) : null);
    renderConsents();
    renderTimeline();
    $("customer").hidden = false;
  }

  async function showCustomer(id) {
    try {
      shown = await regua.get("/app/api/customers/" + encodeURIComponent(id));
      renderCustomer();
    } catch (e) {
      fail(e);
    }
  }

  async function setConsent(channel, granted) {
    try {
      const answer = await regua.post("/app/api/customers/" + shown.customer.id + "/consents", { [channel]: granted });
      shown.consents = answer.consents;
      renderConsents();
      say(regua.t(granted ? "consent_granted_done" : "consent_refused_done", { channel: regua.t("channel_" + channel) }));
    } catch (e) {
      fail(e);
    }
  }

  function renderDuplicates() {
    const list = $("duplicates");
    list.replaceChildren();
    if (!duplicates) return;
    if (duplicates.groups.length === 0) {
      const li = document.createElement("li");
      li.textContent = regua.t("duplicates_none");
      list.appendChild(li);
    }
    duplicates.groups.forEach((g, n) => {
      const li = document.createElement("li");
      li.className = "card group";
      const fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = regua.t("duplicates_shared", {
        shared: g.shared.map((s) => regua.t("shared_" + s.key) + " " + (s.key === "cpf" ? formatCpf(s.value) : s.value)).join(", "),
      });
      fieldset.appendChild(legend);
      for (const c of g.customers) {
        const row = document.createElement("label");
        row.className = "member";
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "keep-" + n;
        radio.value = c.id;
        radio.checked = c.id === g.suggested_keep;
        const text = document.createElement("span");
        text.textContent =
          regua.t("keep") + " #" + c.id + " " + label(c) + " · " +
          [c.pos_id, c.phone, c.email, c.cpf ? formatCpf(c.cpf) : null].filter(Boolean).join(" · ") + " · " +
          regua.t("sales_count", { count: regua.number(c.sales), total: regua.money(c.total_cents) });
        row.append(radio, text);
        fieldset.appendChild(row);
      }
      const merge = document.createElement("button");
      merge.type = "button";
      merge.className = "button primary merge";
      merge.textContent = regua.t("merge");
      merge.addEventListener("click", () => {
        const keep = Number(fieldset.querySelector("input:checked").value);
        previewMerge(keep, g.customers.map((c) => c.id).filter((id) => id !== keep));
      });
      fieldset.appendChild(merge);
      li.appendChild(fieldset);
      list.appendChild(li);
    });
  }

  async function loadDuplicates() {
    try {
      duplicates = await regua.get("/app/api/duplicates");
      renderDuplicates();
    } catch (e) {
      fail(e);
    }
  }

  async function previewMerge(keep, others) {
    try {
      const dry = await regua.post("/app/api/customers/merge", { keep, merge: others, dry_run: true });
      pendingMerge = { keep, others };
      $("merge-preview").textContent = regua.t("merge_preview", {
        others: others.map((id) => "#" + id).join(", "),
        keep: "#" + keep + " " + label(dry.survivor),
        moved: regua.number(dry.sales_moved),
        total: regua.number(dry.survivor_sales),
      });
      $("merge-confirm").hidden = false;
      $("merge-yes").focus();
    } catch (e) {
      fail(e);
    }
  }

  async function confirmMerge() {
    const { keep, others } = pendingMerge;
    pendingMerge = null;
    $("merge-confirm").hidden = true;
    try {
      const done = await regua.post("/app/api/customers/merge", { keep, merge: others, dry_run: false });
      say(regua.t("merged", { keep: "#" + keep + " " + label(done.survivor), moved: regua.number(done.sales_moved) }));
      await loadDuplicates();
    } catch (e) {
      fail(e);
    }
  }

  regua.ready.then(() => {
    document.addEventListener("regua:lang", () => {
      renderCustomer();
      renderDuplicates();
    });
    $("find-duplicates").addEventListener("click", loadDuplicates);
    $("merge-yes").addEventListener("click", confirmMerge);
    $("merge-no").addEventListener("click", () => {
      pendingMerge = null;
      $("merge-confirm").hidden = true;
      say(regua.t("merge_cancelled"));
    });
    const params = new URLSearchParams(location.search);
    if (params.get("id")) showCustomer(params.get("id"));
    if (params.get("q")) {
      $("q").value = params.get("q");
      search(params.get("q"));
    }
  });
})();
