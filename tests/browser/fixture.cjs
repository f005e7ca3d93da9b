// One real store for a test file: a ledger filled by a real `regua-agent run` from a POS file, a
// few open tasks written into it, and one headless Debian Chromium with a fresh profile. Started
// once per file (a browser and an agent take seconds) and stopped after it.
"use strict";
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const TOKEN = "browser-test-token-0123456789";
const artifacts = process.env.REGUA_BROWSER_ARTIFACTS || os.tmpdir();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sql(ledger, query) {
  const out = execFileSync("sqlite3", ["-json", "-cmd", ".timeout 10000", ledger, query], { encoding: "utf8" });
  return out.trim() === "" ? [] : JSON.parse(out);
}

const customers = [
  { id: "C-1", name: "Ana Souza", phone: "(11) 98765-4321" },
  { id: "C-2", name: "Bruno Lima", phone: "(11) 97654-3210" },
  { id: "C-3", name: "Carla Dias", phone: "(21) 99876-5432" },
];

// `options.more`: more customers, each with one sale (after the three with tasks);
// `options.config`: more lines for the agent's configuration (they follow `[rules]`);
// `options.files`: more files beside it ({name: text}), such as a rules file.
async function startStore(options = {}) {
  const buyers = [...customers, ...(options.more || [])];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "regua-browser-"));
  const port = await freePort();
  const ledger = path.join(dir, "ledger.db");
  const sales = buyers.map((c, i) =>
    JSON.stringify({
      type: "sale",
      id: "S-" + (i + 1),
      ts: new Date(Date.now() - (40 + i) * 86400e3).toISOString(),
      total: "129.90",
      customer: c,
    }),
  );
  fs.writeFileSync(path.join(dir, "pos.jsonl"), sales.join("\n") + "\n");
  for (const [name, text] of Object.entries(options.files || {})) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(
    path.join(dir, "regua.toml"),
    [
      "[store]",
      'id = "centro"',
      "[ledger]",
      'path = "ledger.db"',
      "[[source]]",
      'kind = "jsonl"',
      'path = "pos.jsonl"',
      "[http]",
      "port = " + port,
      'token = "' + TOKEN + '"',
      "[rules]",
      "default_pack = false",
      ...(options.config || []),
      "",
    ].join("\n"),
  );
  const logPath = path.join(artifacts, "agent.log");
  const log = fs.openSync(logPath, "w");
  const agent = spawn(process.env.REGUA_AGENT, ["run", "--config", path.join(dir, "regua.toml")], {
    stdio: ["ignore", log, log],
  });
  const exited = new Promise((resolve) => agent.on("exit", resolve));
  try {
    return await prepareStore({ dir, port, ledger, logPath, agent, exited, buyers });
  } catch (e) {
    agent.kill("SIGTERM");
    await exited;
    throw e;
  }
}

// The rest of startStore, once the agent runs: on failure the agent is stopped.
async function prepareStore({ dir, port, ledger, logPath, agent, exited, buyers }) {
  const base = "http://127.0.0.1:" + port;
  await waitFor("the agent's web server", async () => (await fetch(base + "/signin")).ok);
  await waitFor("the POS sales in the ledger", () => sql(ledger, "SELECT count(*) AS n FROM sales")[0].n === buyers.length);

  // Tasks as the rules write them (a job, then its task), for today and overdue. The agent may have
  // planned jobs of its own rules already: the ledger numbers these.
  const now = Math.floor(Date.now() / 1000);
  const due = [now - 2 * 86400, now - 600, now - 300];
  const statements = customers.map((c, i) => {
    const job = i + 1;
    return (
      `INSERT INTO jobs (rule_id, customer_id, occurrence, occurred_at, planned_at, due_at, priority, action, ` +
      `channel, state, created_at) SELECT 'vip-quiet', id, 'since:${job}', ${now}, ${now}, ${due[i]}, 50, ` +
      `'task', 'whatsapp', 'fired', ${now} FROM customers WHERE pos_id = '${c.id}';` +
      `INSERT INTO tasks (job_id, customer_id, rule_id, title, instructions, channel, text, state, created_at, ` +
      `due_at, expires_at) SELECT last_insert_rowid(), id, 'vip-quiet', 'Cliente fiel sem comprar há 40 dias', ` +
      `'Chame pelo WhatsApp e ofereça a novidade', 'whatsapp', 'Oi ${c.name.split(" ")[0]}! Chegou coleção nova.', ` +
      `'open', ${now}, ${due[i]}, ${now + 30 * 86400} FROM customers WHERE pos_id = '${c.id}';`
    );
  });
  sql(ledger, "BEGIN;" + statements.join("") + "COMMIT;");

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "regua-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });

  browser.setDefaultTimeout(15000);
  return {
    base,
    port,
    ledger,
    browser,
    sql: (query) => sql(ledger, query),
    log: () => fs.readFileSync(logPath, "utf8"),
    // Runs a command of the same agent on the same store (e.g. `customers --segment X --csv`).
    cli: (...args) =>
      execFileSync(process.env.REGUA_AGENT, [...args, "--config", path.join(dir, "regua.toml")], { encoding: "utf8" }),
    task: (name) =>
      sql(ledger, `SELECT t.id, t.state, t.outcome FROM tasks t JOIN customers c ON c.id = t.customer_id ` +
        `WHERE c.name = '${name}'`)[0],
    screenshot: (page, name) => page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true }),
    async stop() {
      await browser.close().catch(() => {});
      agent.kill("SIGTERM");
      await exited;
      fs.rmSync(profile, { recursive: true, force: true });
      if (!process.env.REGUA_KEEP_TEST_FILES) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A fresh sign-in: the profile's cookies are shared by its pages, so earlier tests' sessions go first.
async function signIn(store, page) {
  await store.browser.clearCookies();
  await page.goto(store.base + "/");
  await page.waitForURL(store.base + "/signin");
  await page.fill("#token", TOKEN);
  await page.press("#token", "Enter");
  await page.waitForURL(store.base + "/");
  await page.locator(".task").first().waitFor();
}

module.exports = { startStore, signIn, waitFor, TOKEN };
