// The KPI page in a real browser against a real agent: its figures are the command's
// (`kpis --json` for the same range on the same ledger), the charts are SVG the agent drew, and the
// data quality and sync blocks say what `status --json` says.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { startStore, signIn } = require("./fixture.cjs");

let store;
before(async () => {
  store = await startStore({ more: [{ id: "C-4", name: "Davi Reis", phone: "123" }] });
});
after(async () => {
  if (store) await store.stop();
});

test("the KPI figures are the command's for the same range; charts and data quality show", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  await page.click("nav >> text=Indicadores");
  await page.waitForURL(store.base + "/kpis");
  const active = page.locator('#figures [data-figure="customers_at_end"] strong');
  await active.waitFor();
  const from = await page.inputValue("#from");
  const to = await page.inputValue("#to");
  const by = await page.inputValue("#by");
  assert.equal(by, "month");
  const cli = JSON.parse(store.cli("kpis", "--from", from, "--to", to, "--by", by, "--json"));
  assert.equal(await active.textContent(), String(cli.total.customers_at_end));
  assert.equal(cli.total.customers_at_end, 4, "the four buyers bought 40 to 43 days ago: all active");
  assert.equal(
    await page.locator('#figures [data-figure="new_customers"] strong').textContent(),
    String(cli.total.new_customers),
  );
  assert.equal(
    await page.locator('#figures [data-figure="revenue_cents"] strong').textContent(),
    new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" }).format(cli.total.revenue_cents / 100),
  );
  // Each chart is an SVG image the agent drew (loaded: it has a size).
  for (const c of ["retention", "active_base", "new_returning", "revenue_per_action"]) {
    await page.waitForFunction((id) => {
      const img = document.getElementById(id);
      return img.complete && img.naturalWidth > 0;
    }, "chart-" + c);
  }
  // Data quality: Davi's phone is not a phone; the page says to correct it, as status counts it.
  const status = JSON.parse(store.cli("status", "--json"));
  assert.equal(status.quality.invalid_phone, 1);
  await page.locator("#fixes li", { hasText: "1 telefone(s) inválido(s)" }).waitFor();
  assert.equal(await page.locator("#sync").getAttribute("data-state"), "off");
  await store.screenshot(page, "kpis");
  await page.close();
});
