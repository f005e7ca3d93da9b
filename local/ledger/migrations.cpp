#include "local/ledger/migrations.hpp"

#include <array>
#include <string>

namespace regua {
namespace {

// Times are Unix seconds in UTC; money is integer cents. docs/ledger.md describes every table.
constexpr std::array kMigrations{
    Migration{1, "customers, sales, items, cancellations, checkpoints, quarantine, outbox", R"sql(
CREATE TABLE ledger_info (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE customers (
  id            INTEGER PRIMARY KEY,
  pos_id        TEXT UNIQUE,
  name          TEXT,
  phone         TEXT,
  email         TEXT,
  cpf           TEXT,
  birthday      TEXT,
  info_at       INTEGER NOT NULL,  -- POS time of the newest information applied
  created_at    INTEGER NOT NULL
);

CREATE TABLE consents (
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  channel     TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email')),
  granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
  source      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;

CREATE TABLE sales (
  id           INTEGER PRIMARY KEY,
  pos_id       TEXT NOT NULL UNIQUE,
  customer_id  INTEGER REFERENCES customers(id),
  sold_at      INTEGER NOT NULL,
  total_cents  INTEGER NOT NULL CHECK (total_cents >= 0),
  cancelled_at INTEGER,
  source       TEXT NOT NULL,
  ingested_at  INTEGER NOT NULL
);
CREATE INDEX sales_by_customer ON sales (customer_id, sold_at);

CREATE TABLE sale_items (
  sale_id     INTEGER NOT NULL REFERENCES sales(id),
  line        INTEGER NOT NULL,
  sku         TEXT NOT NULL,
  name        TEXT NOT NULL,
  quantity    REAL NOT NULL,
  unit_cents  INTEGER NOT NULL,
  PRIMARY KEY (sale_id, line)
) WITHOUT ROWID;

-- Every cancellation received, also one that arrived before its sale (applied when the sale comes).
CREATE TABLE cancellations (
  sale_pos_id  TEXT PRIMARY KEY,
  cancelled_at INTEGER NOT NULL,
  source       TEXT NOT NULL,
  received_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Where each source stopped reading: committed with the rows read, so nothing is lost or read twice.
CREATE TABLE checkpoints (
  source          TEXT PRIMARY KEY,
  file_device     INTEGER NOT NULL,
  file_inode      INTEGER NOT NULL,
  byte_offset     INTEGER NOT NULL,
  line            INTEGER NOT NULL,
  fingerprint_len INTEGER NOT NULL,
  fingerprint     INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  file        TEXT NOT NULL,
  origin      TEXT NOT NULL,     -- the file's identity (device:inode) when read
  line        INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  raw_hash    INTEGER NOT NULL,
  raw         BLOB NOT NULL,
  reason      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  UNIQUE (origin, byte_offset, raw_hash)
);

-- Changes that must leave the machine, numbered without gaps; filled and drained by later layers.
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  payload    BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
)sql"},
    Migration{2, "customers: normalised details with flags, POS id aliases, merge audit", R"sql(
-- name, e-mail, CPF and birthday hold the normalised value when it passed its check (*_valid = 1),
-- else what the POS wrote. phone is always as written; phone_e164 is set when it is a real number.
-- docs/identity.md has the rules.
ALTER TABLE customers ADD COLUMN phone_e164 TEXT;
-- The check is written with OR: SQLite builds a temporary table for an IN list of more than two
-- values each time a row is written, which made inserting a customer twice as slow.
ALTER TABLE customers ADD COLUMN phone_kind TEXT
  CHECK (phone_kind = 'mobile' OR phone_kind = 'fixed_line' OR phone_kind = 'other' OR phone_kind = 'invalid');
ALTER TABLE customers ADD COLUMN email_valid INTEGER NOT NULL DEFAULT 0 CHECK (email_valid IN (0, 1));
ALTER TABLE customers ADD COLUMN cpf_valid INTEGER NOT NULL DEFAULT 0 CHECK (cpf_valid IN (0, 1));
ALTER TABLE customers ADD COLUMN birthday_valid INTEGER NOT NULL DEFAULT 0 CHECK (birthday_valid IN (0, 1));

-- Ingest matches a customer by a valid CPF, then by a mobile: partial indexes hold only those rows.
CREATE INDEX customers_by_cpf ON customers (cpf) WHERE cpf_valid = 1;
CREATE INDEX customers_by_mobile ON customers (phone_e164) WHERE phone_kind = 'mobile';

-- Other POS ids that mean a customer: those of records merged into it, and new POS ids that ingest
-- matched to it by CPF or mobile. A sale with such an id goes to the customer.
CREATE TABLE customer_pos_ids (
  pos_id      TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id)
) WITHOUT ROWID;
CREATE INDEX customer_pos_ids_by_customer ON customer_pos_ids (customer_id);

-- One row per record merged away (the record itself is deleted): what it was, where it went.
CREATE TABLE customer_merges (
  id            INTEGER PRIMARY KEY,
  survivor_id   INTEGER NOT NULL,  -- customers.id it was merged into (no foreign key: it may be merged later)
  merged_id     INTEGER NOT NULL,  -- its customers.id, now gone
  merged_pos_id TEXT,
  merged_record TEXT NOT NULL,     -- JSON: its fields and consents as they were
  sales_moved   INTEGER NOT NULL,
  merged_at     INTEGER NOT NULL
);
CREATE INDEX customer_merges_by_survivor ON customer_merges (survivor_id);

-- Rows written before this version hold raw values: the first Ingestor normalises them (it has the
-- phone parser, which SQL has not) and deletes this marker.
INSERT INTO ledger_info (key, value) SELECT 'customers_to_normalise', '1' WHERE EXISTS (SELECT 1 FROM customers);
)sql"},
    Migration{3, "processed fiscal XML files (the nfe folder source and import)", R"sql(
-- Every fiscal XML file read, committed in the same transaction as the sales, cancellations and
-- quarantine entries it produced, so a file is read once: one still in its folder is recognised by
-- its identity without being read (device, inode, size, modified_ns), a copy by its content.
CREATE TABLE processed_files (
  id            INTEGER PRIMARY KEY,
  source        TEXT NOT NULL,     -- the source that read it first ("import" for regua-agent import)
  file          TEXT NOT NULL,     -- its path then
  device        INTEGER NOT NULL,
  inode         INTEGER NOT NULL,
  size          INTEGER NOT NULL,
  modified_ns   INTEGER NOT NULL,
  content_hash  INTEGER NOT NULL,  -- FNV-1a 64 of its bytes
  sales         INTEGER NOT NULL,  -- documents in it, by what became of them
  cancellations INTEGER NOT NULL,
  ignored       INTEGER NOT NULL,
  quarantined   INTEGER NOT NULL,
  access_keys   TEXT NOT NULL,     -- the notes it concerns, separated by spaces
  note          TEXT,              -- why documents were ignored or quarantined
  processed_at  INTEGER NOT NULL,
  UNIQUE (content_hash, size)
);
CREATE INDEX processed_files_by_identity ON processed_files (device, inode);
)sql"},
    Migration{4, "predictions: model fits and per-customer P(alive), expected purchases, CLV", R"sql(
-- One row per `regua-agent predict`: the fitted models, with their time unit. as_of is the
-- store-local date the history ended on (a calendar date, not an instant).
CREATE TABLE prediction_fits (
  id                   INTEGER PRIMARY KEY,
  fitted_at            INTEGER NOT NULL,
  as_of                TEXT NOT NULL,
  time_unit            TEXT NOT NULL CHECK (time_unit IN ('day', 'week')),
  customers            INTEGER NOT NULL,
  repeat_customers     INTEGER NOT NULL,
  bgnbd_r              REAL NOT NULL,
  bgnbd_alpha          REAL NOT NULL,  -- in time_unit
  bgnbd_a              REAL NOT NULL,
  bgnbd_b              REAL NOT NULL,
  bgnbd_log_likelihood REAL NOT NULL,
  spend_p              REAL,           -- Gamma-Gamma; NULL when the spend model could not be fitted
  spend_q              REAL,
  spend_v              REAL,           -- in currency units
  spend_log_likelihood REAL,
  spend_customers      INTEGER,
  spend_problem        TEXT,           -- why the spend model is missing
  horizon_days         INTEGER NOT NULL,
  clv_days             INTEGER NOT NULL,
  monthly_discount     REAL NOT NULL
);

-- The latest fit's figures per customer, replaced as a whole by each fit; a customer without a row
-- had not bought by that fit's as_of date.
CREATE TABLE customer_predictions (
  customer_id          INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  fit_id               INTEGER NOT NULL REFERENCES prediction_fits(id),
  purchase_days        INTEGER NOT NULL,  -- days with a purchase up to as_of (repeat occasions + 1)
  p_alive              REAL NOT NULL,
  expected_purchases   REAL NOT NULL,     -- in the fit's next horizon_days
  expected_spend_cents INTEGER,           -- of one purchase; NULL without a spend model
  clv_cents            INTEGER            -- in the fit's next clv_days; NULL without a spend model
);
)sql"},
    Migration{5, "customer stats kept at ingest, lifecycle cells and segment events", R"sql(
-- Per customer, kept current by ingest (local/analysis/customer_stats.hpp): its sales that were not
-- cancelled. A customer without a row has never had one.
CREATE TABLE customer_stats (
  customer_id INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  purchases   INTEGER NOT NULL,  -- sales not cancelled
  first_at    INTEGER,           -- POS time (UTC) of the first and of the last of them; NULL when none
  last_at     INTEGER,
  total_cents INTEGER NOT NULL,
  cell        TEXT,              -- lifecycle cell as last recorded in segment_events; NULL: none
  pending     TEXT               -- why the cell is to be re-evaluated (a segment event cause); NULL: current
);
-- Aging: refresh_segments reads the customers whose last purchase crossed a limit, a range of this.
CREATE INDEX customer_stats_by_last ON customer_stats (last_at);
CREATE INDEX customer_stats_pending ON customer_stats (customer_id) WHERE pending IS NOT NULL;

-- "Customer C entered cell X on day D", for rules; never updated. No foreign key: the history of a
-- record merged away stays. docs/segments.md describes the causes.
CREATE TABLE segment_events (
  id            INTEGER PRIMARY KEY,  -- recording order
  customer_id   INTEGER NOT NULL,
  cell          TEXT,                 -- the cell entered; NULL: left the matrix (no purchase left)
  previous_cell TEXT,                 -- NULL: had none
  day           TEXT NOT NULL,        -- store-local date (YYYY-MM-DD) from which it is in `cell`
  at            INTEGER NOT NULL,     -- when it was recorded (UTC)
  purchases     INTEGER NOT NULL,     -- the figures that put it there
  last_at       INTEGER,
  cause         TEXT NOT NULL
    CHECK (cause IN ('sale', 'cancel', 'merge', 'time', 'thresholds', 'migration', 'rebuild'))
);
CREATE INDEX segment_events_by_customer ON segment_events (customer_id, id);

-- The few cancelled sales, by customer: a customer's purchases in the last N days are then counted
-- from indexes alone (its recent sales in sales_by_customer, minus these). A sale that is not
-- cancelled costs this index nothing.
CREATE INDEX sales_cancelled_by_customer ON sales (customer_id, sold_at) WHERE cancelled_at IS NOT NULL;

-- A ledger with history gets its stats here; its cells are recorded by the first refresh.
INSERT INTO customer_stats (customer_id, purchases, first_at, last_at, total_cents, pending)
SELECT customer_id, count(*), min(sold_at), max(sold_at), sum(total_cents), 'migration'
FROM sales WHERE customer_id IS NOT NULL AND cancelled_at IS NULL GROUP BY customer_id;
)sql"},
    Migration{6, "rules: scheduled jobs, decisions, messages, tasks", R"sql(
-- The rules the scheduler has run (local/scheduler/engine.hpp): a rule whose fingerprint changed
-- re-plans its pending jobs, a rule no longer running cancels them. next_run: a recurring rule's
-- next campaign.
CREATE TABLE rule_states (
  rule_id     TEXT PRIMARY KEY,
  fingerprint INTEGER NOT NULL,
  enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  since       INTEGER NOT NULL,
  next_run    INTEGER
) WITHOUT ROWID;

-- One row per (rule, customer, trigger occurrence): at most one action per occurrence, whatever
-- happens. planned_at is the moment the rule meant; due_at moves when quiet hours or the cap
-- defer it. A job is pending until it is fired, skipped or cancelled, with the reason.
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  rule_id     TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  occurrence  TEXT NOT NULL,     -- "sale:S-1001", "since:2026-03-01T17:05:00Z", "birthday:2026", ...
  occurred_at INTEGER NOT NULL,  -- when the trigger happened
  planned_at  INTEGER NOT NULL,
  due_at      INTEGER NOT NULL,
  priority    INTEGER NOT NULL,
  action      TEXT NOT NULL,     -- the rule's action and channel when planned
  channel     TEXT NOT NULL,
  state       TEXT NOT NULL
    CHECK (state = 'pending' OR state = 'fired' OR state = 'skipped' OR state = 'cancelled'),
  created_at  INTEGER NOT NULL,
  decided_at  INTEGER,
  reason      TEXT,
  UNIQUE (rule_id, customer_id, occurrence)
);
-- The next due job, in firing order, from the pending ones only.
CREATE INDEX jobs_due ON jobs (due_at, priority DESC, id) WHERE state = 'pending';
CREATE INDEX jobs_by_customer ON jobs (customer_id, state);

-- Messages: each row is committed (with a full sync) before any channel is called: the intent.
-- A channel marks it sent, failed or unknown afterwards; docs/rules.md says how.
CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  rule_id     TEXT NOT NULL,
  channel     TEXT NOT NULL CHECK (channel = 'sms' OR channel = 'whatsapp' OR channel = 'email'),
  recipient   TEXT NOT NULL,  -- E.164 mobile or e-mail address (personal data: erased by forget)
  subject     TEXT,
  body        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state = 'intent' OR state = 'sent' OR state = 'failed' OR state = 'unknown'),
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  sender      TEXT,  -- the channel that took it ("file")
  error       TEXT
);
CREATE INDEX messages_by_customer ON messages (customer_id, created_at);
CREATE INDEX messages_to_send ON messages (id) WHERE state = 'intent';

-- Tasks for staff. Overdue (due_at passed while open) is shown, not stored.
CREATE TABLE tasks (
  id           INTEGER PRIMARY KEY,
  job_id       INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  rule_id      TEXT NOT NULL,
  title        TEXT NOT NULL,
  instructions TEXT NOT NULL,
  channel      TEXT NOT NULL CHECK (channel = 'sms' OR channel = 'whatsapp' OR channel = 'email' OR channel = 'call'),
  text         TEXT NOT NULL,  -- what staff send
  link         TEXT,           -- wa.me, sms:, tel: or mailto: link
  state        TEXT NOT NULL
    CHECK (state = 'open' OR state = 'done' OR state = 'archived' OR state = 'cancelled' OR state = 'expired'),
  outcome      TEXT CHECK (outcome IS NULL OR outcome = 'contacted' OR outcome = 'no_answer' OR outcome = 'sold'
                           OR outcome = 'wrong_number'),
  note         TEXT,
  created_at   INTEGER NOT NULL,
  due_at       INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  closed_at    INTEGER,
  close_reason TEXT
);
CREATE INDEX tasks_open ON tasks (expires_at) WHERE state = 'open';
CREATE INDEX tasks_by_customer ON tasks (customer_id, created_at);
CREATE INDEX tasks_by_state ON tasks (state, due_at);

-- Every decision about a job, in order: fired, deferred (with until), skipped, cancelled, with a
-- reason code and a sentence; `regua-agent why` prints a customer's.
CREATE TABLE decisions (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL REFERENCES jobs(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  rule_id     TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action = 'message' OR action = 'task'),
  channel     TEXT NOT NULL,
  at          INTEGER NOT NULL,
  decision    TEXT NOT NULL
    CHECK (decision = 'fired' OR decision = 'deferred' OR decision = 'skipped' OR decision = 'cancelled'),
  reason      TEXT NOT NULL,
  detail      TEXT NOT NULL,
  until       INTEGER,
  message_id  INTEGER REFERENCES messages(id),
  task_id     INTEGER REFERENCES tasks(id)
);
CREATE INDEX decisions_by_customer ON decisions (customer_id, id);
CREATE INDEX decisions_by_job ON decisions (job_id);
)sql"},
    Migration{7, "rules: sale cancellations in order, for the scheduler's catch-up", R"sql(
-- cancellations is keyed by the sale's POS id (WITHOUT ROWID), so the scheduler cannot keep a
-- cursor on it, and a cancellation may come before its sale. What planning needs is the moment a
-- stored sale became cancelled, whoever wrote it (the agent, `regua-agent import`, the HTTP API):
-- one row per such change, in order, written by the ledger itself so that no writer can forget it.
-- A sale born cancelled (its cancellation came first) has no row: it never counted.
CREATE TABLE sale_cancellations (
  id      INTEGER PRIMARY KEY,
  sale_id INTEGER NOT NULL  -- sales(id); no foreign key, as segment_events: history stays
);
CREATE TRIGGER sale_cancelled AFTER UPDATE OF cancelled_at ON sales
  WHEN OLD.cancelled_at IS NULL AND NEW.cancelled_at IS NOT NULL
BEGIN
  INSERT INTO sale_cancellations (sale_id) VALUES (NEW.id);
END;
)sql"},
    Migration{8, "channels: message attempts (sending, unknown), provider ids, receipts, refused callbacks",
              R"sql(
-- The send state machine (docs/channels.md): intent -> sending (committed with a full sync just
-- before the provider is called) -> sent | failed | intent again (a retryable failure, not before
-- next_attempt_at); sending found at start-up -> unknown (never resent) unless the attempt carried
-- an idempotency key; intent -> cancelled when the send-time check refuses it (an opt-out, the
-- customer gone). SQLite cannot change a CHECK in place, so the table is rebuilt with its rows;
-- migrations run before the ledger turns foreign keys on, and the ids stay what they were.
CREATE TABLE messages_v8 (
  id              INTEGER PRIMARY KEY,
  job_id          INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
  customer_id     INTEGER NOT NULL REFERENCES customers(id),
  rule_id         TEXT NOT NULL,
  channel         TEXT NOT NULL CHECK (channel = 'sms' OR channel = 'whatsapp' OR channel = 'email'),
  recipient       TEXT NOT NULL,  -- E.164 mobile or e-mail address (personal data: erased by forget)
  subject         TEXT,
  body            TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state = 'intent' OR state = 'sending' OR state = 'sent' OR state = 'failed'
                                       OR state = 'unknown' OR state = 'cancelled'),
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,        -- when the provider took it
  sender          TEXT,           -- the provider of the last attempt: file, twilio, whatsapp_cloud, webhook, smtp
  error           TEXT,           -- failed, unknown, cancelled, or an intent waiting for a retry: why
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,        -- an intent after a retryable failure: not before this
  sending_at      INTEGER,        -- when the last attempt started
  idempotency_key TEXT,           -- the attempts carried it: an interrupted one may be retried with it
  provider_id     TEXT,           -- the provider's id of the message (Twilio SM..., WhatsApp wamid...)
  delivery        TEXT CHECK (delivery IS NULL OR delivery = 'delivered' OR delivery = 'read' OR delivery = 'failed'),
  delivery_at     INTEGER,
  delivery_error  TEXT
);
INSERT INTO messages_v8 (id, job_id, customer_id, rule_id, channel, recipient, subject, body, state, created_at,
                         sent_at, sender, error)
SELECT id, job_id, customer_id, rule_id, channel, recipient, subject, body, state, created_at, sent_at, sender, error
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v8 RENAME TO messages;
CREATE INDEX messages_by_customer ON messages (customer_id, created_at);
CREATE INDEX messages_to_send ON messages (id) WHERE state = 'intent';
CREATE INDEX messages_sending ON messages (id) WHERE state = 'sending';
CREATE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;

-- Every delivery receipt a provider's callback brought for a message of this ledger, as the
-- provider wrote its status; messages.delivery holds the furthest one.
CREATE TABLE message_receipts (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  provider    TEXT NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT,
  received_at INTEGER NOT NULL
);
CREATE INDEX message_receipts_by_message ON message_receipts (message_id);

-- Provider callbacks (receipts, inbound replies) refused, counted by endpoint and reason.
CREATE TABLE callback_refusals (
  endpoint TEXT NOT NULL,
  reason   TEXT NOT NULL,
  count    INTEGER NOT NULL,
  last_at  INTEGER NOT NULL,
  PRIMARY KEY (endpoint, reason)
) WITHOUT ROWID;
)sql"},
    Migration{9, "erasure of a customer's personal data; rule decisions may be holdout", R"sql(
-- A forgotten customer stays as a record without personal data (its sales are kept, anonymised,
-- for fiscal and aggregate use): erased_at says when. local/identity/erasure.hpp.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;

-- One row per erasure: what the hub needs to erase the same person, and nothing personal. The
-- erasure key is unique across stores ("<store>:erasure:<id>"); requested_by is a role, never a name.
CREATE TABLE erasures (
  id             INTEGER PRIMARY KEY,
  erasure_key    TEXT NOT NULL UNIQUE,
  customer_id    INTEGER NOT NULL,  -- the ledger's number of the record kept without personal data
  requested_by   TEXT NOT NULL
    CHECK (requested_by = 'customer' OR requested_by = 'store' OR requested_by = 'authority'),
  erased_at      INTEGER NOT NULL,
  summary        TEXT NOT NULL,     -- JSON: how many of each thing were erased, cancelled and kept
  seen_again     INTEGER NOT NULL DEFAULT 0,  -- sales or news later received with an erased POS id
  seen_again_at  INTEGER
);
CREATE INDEX erasures_by_customer ON erasures (customer_id);

-- Every POS customer id the person had (also those of records merged into them): ingest starts a
-- new record, never the old history, for news with one of them (docs/identity.md).
CREATE TABLE erased_pos_ids (
  pos_id     TEXT NOT NULL,
  erasure_id INTEGER NOT NULL REFERENCES erasures(id),
  PRIMARY KEY (pos_id, erasure_id)
) WITHOUT ROWID;

-- A decision may now be `holdout`: the customer is in the rule's control group, nothing was sent.
-- SQLite cannot change a CHECK in place: the table is rebuilt (nothing refers to it).
CREATE TABLE decisions_new (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL REFERENCES jobs(id),
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  rule_id     TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action = 'message' OR action = 'task'),
  channel     TEXT NOT NULL,
  at          INTEGER NOT NULL,
  decision    TEXT NOT NULL
    CHECK (decision = 'fired' OR decision = 'deferred' OR decision = 'skipped' OR decision = 'cancelled'
           OR decision = 'holdout'),
  reason      TEXT NOT NULL,
  detail      TEXT NOT NULL,
  until       INTEGER,
  message_id  INTEGER REFERENCES messages(id),
  task_id     INTEGER REFERENCES tasks(id)
);
INSERT INTO decisions_new SELECT * FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_new RENAME TO decisions;
CREATE INDEX decisions_by_customer ON decisions (customer_id, id);
CREATE INDEX decisions_by_job ON decisions (job_id);
-- Revenue per action reads the sends and would-be sends of each rule in a range of time.
CREATE INDEX decisions_for_effects ON decisions (rule_id, at) WHERE decision = 'fired' OR decision = 'holdout';
)sql"},
    Migration{10, "sync: the outbox as a queue of references filled by triggers, downlink state", R"sql(
-- Migration 1's outbox (never filled) becomes a queue of references: what changed (kind) and which
-- row (ref). The record itself is built when it is published, from the row as it is then (records
-- are state-based upserts), so a sale adds one small row to its transaction and nothing else.
-- seq is the store's sequence towards the hub: a rowid, max + 1, so gapless as long as the newest
-- row is never deleted (acknowledging keeps it; docs/ledger.md says why). docs/protocol.md has
-- the kinds.
DROP TABLE outbox;
CREATE TABLE outbox (
  seq  INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  ref  INTEGER NOT NULL
);

-- Written by the ledger itself, so that no writer (merge, rules, staff closing a task, an order
-- from HQ) can forget it, in the transaction of the change. New sales and new customers are the
-- exception: the one place that inserts them (local/ledger/ingest.cpp, local/identity/
-- customer_book.cpp) writes their row, because a trigger on those inserts makes SQLite keep a
-- statement journal for each one (about 30% more instructions for ingest).
CREATE TRIGGER outbox_sale_changed AFTER UPDATE OF cancelled_at, customer_id ON sales
  WHEN OLD.cancelled_at IS NOT NEW.cancelled_at
    OR (OLD.customer_id IS NOT NULL AND OLD.customer_id IS NOT NEW.customer_id)
BEGIN INSERT INTO outbox (kind, ref) VALUES ('sale', NEW.id); END;
CREATE TRIGGER outbox_customer_changed
  AFTER UPDATE OF pos_id, name, phone, phone_e164, email, cpf, birthday ON customers
  WHEN OLD.pos_id IS NOT NEW.pos_id OR OLD.name IS NOT NEW.name OR OLD.phone IS NOT NEW.phone
    OR OLD.phone_e164 IS NOT NEW.phone_e164 OR OLD.email IS NOT NEW.email OR OLD.cpf IS NOT NEW.cpf
    OR OLD.birthday IS NOT NEW.birthday
BEGIN INSERT INTO outbox (kind, ref) VALUES ('customer', NEW.id); END;
CREATE TRIGGER outbox_customer_removed AFTER DELETE ON customers
BEGIN INSERT INTO outbox (kind, ref) VALUES ('customer', OLD.id); END;
CREATE TRIGGER outbox_consent_added AFTER INSERT ON consents
BEGIN INSERT INTO outbox (kind, ref) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER outbox_consent_changed AFTER UPDATE OF granted ON consents
  WHEN OLD.granted IS NOT NEW.granted
BEGIN INSERT INTO outbox (kind, ref) VALUES ('customer', NEW.customer_id); END;
CREATE TRIGGER outbox_segment_event AFTER INSERT ON segment_events
BEGIN INSERT INTO outbox (kind, ref) VALUES ('segment', NEW.id); END;
CREATE TRIGGER outbox_task_added AFTER INSERT ON tasks
BEGIN INSERT INTO outbox (kind, ref) VALUES ('task', NEW.id); END;
-- HQ may hand a task to someone (an order "task_reassign"); NULL: the store's staff as a whole.
ALTER TABLE tasks ADD COLUMN assignee TEXT;
CREATE TRIGGER outbox_task_changed AFTER UPDATE OF state, outcome, note, assignee ON tasks
  WHEN OLD.state IS NOT NEW.state OR OLD.outcome IS NOT NEW.outcome OR OLD.note IS NOT NEW.note
    OR OLD.assignee IS NOT NEW.assignee
BEGIN INSERT INTO outbox (kind, ref) VALUES ('task', NEW.id); END;
CREATE TRIGGER outbox_message_added AFTER INSERT ON messages
BEGIN INSERT INTO outbox (kind, ref) VALUES ('message', NEW.id); END;
CREATE TRIGGER outbox_message_changed AFTER UPDATE OF state ON messages WHEN OLD.state IS NOT NEW.state
BEGIN INSERT INTO outbox (kind, ref) VALUES ('message', NEW.id); END;

-- A ledger with history sends it all once it syncs: customers, then sales, then the rest.
INSERT INTO outbox (kind, ref) SELECT 'customer', id FROM customers ORDER BY id;
INSERT INTO outbox (kind, ref) SELECT 'sale', id FROM sales ORDER BY id;
INSERT INTO outbox (kind, ref) SELECT 'segment', id FROM segment_events ORDER BY id;
INSERT INTO outbox (kind, ref) SELECT 'task', id FROM tasks ORDER BY id;
INSERT INTO outbox (kind, ref) SELECT 'message', id FROM messages ORDER BY id;

-- Orders from HQ (opt-out, erasure, task close or reassign), each applied once: its id is the
-- hub's. The outcome goes back up as an 'order' record (ref = this row's id).
CREATE TABLE hq_orders (
  id         INTEGER PRIMARY KEY,
  order_id   TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL,
  body       TEXT NOT NULL,     -- the order as received (JSON)
  outcome    TEXT NOT NULL CHECK (outcome = 'applied' OR outcome = 'refused'),
  detail     TEXT NOT NULL,     -- what was done, or why not
  applied_at INTEGER NOT NULL
);
CREATE TRIGGER outbox_order_done AFTER INSERT ON hq_orders
BEGIN INSERT INTO outbox (kind, ref) VALUES ('order', NEW.id); END;

-- Rule packs received from HQ, every one, with why a refused one was refused. The newest applied
-- one is what the rule engine runs (agent/rules/store_rules.hpp).
CREATE TABLE rule_packs (
  id          INTEGER PRIMARY KEY,
  version     INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status = 'applied' OR status = 'refused'),
  reason      TEXT NOT NULL,
  body        TEXT,              -- the rules (TOML) of an applied pack
  signature   TEXT
);
CREATE INDEX rule_packs_applied ON rule_packs (version) WHERE status = 'applied';

-- Downlink messages that could not be taken (unknown version, malformed, wrong store), with why;
-- they never block what comes after them.
CREATE TABLE sync_parked (
  id      INTEGER PRIMARY KEY,
  topic   TEXT NOT NULL,
  reason  TEXT NOT NULL,
  payload BLOB NOT NULL,         -- the first 64 KiB
  at      INTEGER NOT NULL
);
)sql"},
    Migration{11, "sales: the items in the sale's row (JSON); sale_items becomes a view of them", R"sql(
-- A sale's lines are written once, with it, and never change alone; a table of their own cost a
-- B-tree insert per line, about a third of ingest's work. sales.items holds them as a JSON array of
-- [sku, name, quantity, unit_cents] arrays in the POS's order (local/ledger/sale_items_json.hpp).
ALTER TABLE sales ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
-- An aggregate over a subquery keeps the subquery's ORDER BY (SQLite never flattens it away).
UPDATE sales SET items = (
  SELECT json_group_array(json_array(sku, name, quantity, unit_cents))
  FROM (SELECT sku, name, quantity, unit_cents FROM sale_items i WHERE i.sale_id = sales.id ORDER BY line))
WHERE id IN (SELECT sale_id FROM sale_items);
DROP TABLE sale_items;
-- The lines as rows, for every reader that wants them so (the sync's record builder, analysis,
-- the sqlite3 shell). A condition on sale_id reaches the sales table's key.
CREATE VIEW sale_items (sale_id, line, sku, name, quantity, unit_cents) AS
  SELECT s.id, i.key + 1, i.value ->> 0, i.value ->> 1, CAST(i.value ->> 2 AS REAL), i.value ->> 3
  FROM sales s, json_each(s.items) i;
)sql"},
};

}  // namespace

std::span<const Migration> ledger_migrations() {
  return kMigrations;
}

int latest_ledger_version() {
  return kMigrations.back().version;
}

Status migrate_ledger(sqlite::Db& db) {
  return migrate_ledger(db, kMigrations);
}

Status migrate_ledger(sqlite::Db& db, std::span<const Migration> migrations) {
  auto current = db.query_int("PRAGMA user_version");
  if (!current) return current.error();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > latest) {
    return make_error(ErrorKind::incompatible,
                      "ledger " + db.path().string() + " has schema version " + std::to_string(*current) +
                          " but this regua-agent knows versions up to " + std::to_string(latest) +
                          ": it was written by a newer Régua. Install that version (or newer) to use it.");
  }
  if (*current == latest) return {};
  // All pending migrations in one transaction: an upgrade that fails at any step (or a crash during
  // it) leaves the ledger exactly as it was, at its old version, for the old agent to keep using.
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return txn.error();
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    if (auto s = db.exec(m.sql); !s) {
      return s.error().within("upgrading ledger " + db.path().string() + " from schema version " +
                              std::to_string(*current) + ": migration " + std::to_string(m.version) + " (" +
                              m.summary + ") failed, nothing was changed");
    }
  }
  if (auto s = db.exec("PRAGMA user_version = " + std::to_string(latest)); !s) return s;
  return txn->commit();
}

}  // namespace regua
