// The customers page in a real browser against a real agent: search by CPF and by phone, a
// customer's timeline, an SMS opt-out given at the counter recorded in the ledger, and two
// duplicate records merged (after the confirmation step) into one that holds both histories.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { startStore, signIn } = require("./fixture.cjs");

let store;
before(async () => {
  store = await startStore({
    more: [
      // One person the POS registered twice: same e-mail, two POS ids (ingest never matches by e-mail).
      { id: "D-1", name: "Diego Alves", email: "diego@example.com" },
      { id: "D-2", name: "DIEGO ALVES", email: "Diego@Example.com" },
      { id: "C-9", name: "Eva Prado", phone: "(11) 91234-5678", cpf: "529.982.247-25" },
    ],
  });
});
after(async () => {
  if (store) await store.stop();
});

// The search form is a GET: each search is a page of its own, so no answer is read from the last one.
async function searchFor(page, q) {
  await page.fill("#q", q);
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get("q") === q),
    page.press("#q", "Enter"),
  ]);
  await page.locator("#status:not(:empty)").waitFor();
}

async function openCustomers(page) {
  await signIn(store, page);
  await page.click("nav >> text=Clientes");
  await page.waitForURL(store.base + "/customers");
}

test("search finds a customer by CPF and by phone; the page shows the timeline", async () => {
  const page = await store.browser.newPage();
  await openCustomers(page);
  await searchFor(page, "529.982.247-25");
  assert.equal(await page.locator("#status").textContent(), "1 cliente(s) encontrado(s).");
  assert.deepEqual(await page.locator("#results .result strong").allTextContents(), ["Eva Prado"]);

  await searchFor(page, "11 91234 5678");
  assert.equal(await page.locator("#status").textContent(), "1 cliente(s) encontrado(s).");
  assert.deepEqual(await page.locator("#results .result strong").allTextContents(), ["Eva Prado"]);

  await searchFor(page, "souza");
  await page.locator("#results .result", { hasText: "Ana Souza" }).click();
  await page.locator("#customer:not([hidden])").waitFor();
  assert.equal(await page.locator("#customer-name").textContent(), "Ana Souza");
  const id = store.sql("SELECT id FROM customers WHERE pos_id = 'C-1'")[0].id;
  assert.equal(new URL(page.url()).searchParams.get("id"), String(id));
  // Her sale, the task the fixture gave her, and the cell the agent put her in.
  await page.locator("#timeline li[data-kind=sale]", { hasText: "S-1" }).waitFor();
  assert.match(await page.locator("#timeline li[data-kind=task]").textContent(), /Cliente fiel sem comprar/);
  assert.equal(await page.locator("#timeline li[data-kind=segment]").count() >= 1, true);
  await store.screenshot(page, "customer-timeline");
  await page.close();
});

test("an SMS opt-out given at the counter is recorded in the ledger as the web app's", async () => {
  const page = await store.browser.newPage();
  await openCustomers(page);
  const id = store.sql("SELECT id FROM customers WHERE pos_id = 'C-2'")[0].id;
  await page.goto(store.base + "/customers?id=" + id);
  const sms = page.locator("#consents tr[data-channel=sms]");
  await sms.waitFor();
  assert.equal(await sms.locator(".consent-state").textContent(), "Nunca respondeu");
  await sms.locator("button.refuse").click();
  await page.locator("#status", { hasText: "SMS: recusa registrada" }).waitFor();
  assert.equal(await sms.locator(".consent-state").textContent(), "Recusou");
  assert.equal(await sms.locator("button.refuse").getAttribute("aria-pressed"), "true");
  assert.deepEqual(store.sql(`SELECT channel, granted, source FROM consents WHERE customer_id = ${id}`), [
    { channel: "sms", granted: 0, source: "web" },
  ]);
  // What the command reads for her says the same.
  const cli = JSON.parse(store.cli("customers", "consent", "C-2", "--json"));
  assert.equal(cli.consents.find((c) => c.channel === "sms").state, "refused");
  await store.screenshot(page, "customer-consent");
  await page.close();
});

test("two duplicate records merged from the page leave one customer with both histories", async () => {
  const page = await store.browser.newPage();
  await openCustomers(page);
  const before = store.sql("SELECT id, pos_id FROM customers WHERE pos_id IN ('D-1', 'D-2') ORDER BY pos_id");
  assert.equal(before.length, 2, "two records for one person");
  await page.click("#find-duplicates");
  const group = page.locator("#duplicates .group", { hasText: "diego@example.com" });
  await group.waitFor();
  await group.locator("button.merge").click();
  await page.locator("#merge-confirm:not([hidden])").waitFor();
  assert.match(await page.locator("#merge-preview").textContent(), /isto não se desfaz/);
  // Nothing is written before the confirmation.
  assert.equal(store.sql("SELECT count(*) AS n FROM customers WHERE pos_id IN ('D-1', 'D-2')")[0].n, 2);
  await store.screenshot(page, "customers-merge-confirm");
  await page.click("#merge-yes");
  await page.locator("#status", { hasText: "Cadastros unidos" }).waitFor();
  const left = store.sql(
    "SELECT c.id, (SELECT count(*) FROM sales s WHERE s.customer_id = c.id) AS sales FROM customers c " +
      "WHERE c.pos_id IN ('D-1', 'D-2') OR c.id IN (SELECT customer_id FROM customer_pos_ids WHERE pos_id IN ('D-1', 'D-2'))",
  );
  assert.equal(left.length, 1, JSON.stringify(left));
  assert.equal(left[0].sales, 2, "both sales on the one record");
  const sales = store.sql(`SELECT pos_id FROM sales WHERE customer_id = ${left[0].id} ORDER BY pos_id`).map((r) => r.pos_id);
  assert.equal(sales.length, 2);
  await page.locator("#duplicates li", { hasText: "Nenhum cadastro duplicado." }).waitFor();
  await page.close();
});
