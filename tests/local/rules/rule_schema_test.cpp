// The rule schema (one place for every source of rules): every mistake names where, the rule, the
// field and what is allowed; the default pack is seed 000's five rules plus seed 002's three, with
// stable ids; templates, durations and times of day read as docs/rules.md says.

#include "local/rules/rule_schema.hpp"

#include <gtest/gtest.h>

#include "local/rules/default_pack.hpp"
#include "local/rules/durations.hpp"
#include "local/rules/rule_set.hpp"
#include "local/rules/templates.hpp"
#include "tests/local/scheduler/engine_fixture.hpp"

namespace regua {
namespace {

using namespace std::chrono_literals;
using test::raw_rule;
using test::RuleValue;
using Fields = std::vector<std::pair<std::string, RuleValue>>;

// A valid rule of each trigger kind (and a task), the base every mistake is made on.
Fields base_for(std::string_view kind) {
  const Fields message{{"action.kind", "message"}, {"action.channel", "sms"}, {"action.template", "Oi!"}};
  Fields f{{"id", "t"}};
  if (kind == "task") {
    f.insert(f.end(), {{"trigger.kind", "days_without_purchase"},
                       {"trigger.days", std::int64_t{30}},
                       {"action.kind", "task"},
                       {"action.title", "Ligar"}});
    return f;
  }
  if (kind.empty() || kind == "message") kind = "after_purchase";
  f.emplace_back("trigger.kind", std::string(kind));
  if (kind == "after_purchase") f.emplace_back("trigger.delay", "3d");
  if (kind == "days_without_purchase") f.emplace_back("trigger.days", std::int64_t{15});
  if (kind == "nth_purchase") f.emplace_back("trigger.n", std::int64_t{3});
  if (kind == "cell_entered") f.emplace_back("trigger.cell", "loyal_slipping");
  if (kind == "recurring") {
    f.emplace_back("trigger.segment", "at_risk");
    f.emplace_back("trigger.every", "week");
  }
  f.insert(f.end(), message.begin(), message.end());
  return f;
}

// The first kind a field applies to ("" for every rule).
std::string first_kind(const RuleField& f) {
  const auto space = f.kinds.find(' ');
  return std::string(f.kinds.substr(0, space));
}

Fields with(Fields f, const std::string& key, RuleValue value) {
  for (auto& [k, v] : f) {
    if (k == key) {
      v = std::move(value);
      return f;
    }
  }
  f.emplace_back(key, std::move(value));
  return f;
}

Fields without(Fields f, const std::string& key) {
  std::erase_if(f, [&](const auto& p) { return p.first == key; });
  return f;
}

Result<Rule> build(const Fields& fields) {
  RawRule raw;
  raw.label = "[[rule]] #4";
  raw.origin = "rules.toml:10";
  int line = 11;
  for (const auto& [key, value] : fields) {
    RawValue v;
    v.origin = "rules.toml:" + std::to_string(line++);
    std::visit([&](const auto& x) { v.value = x; }, value);
    raw.fields.emplace_back(key, std::move(v));
  }
  return build_rule(raw, RuleContext{});
}

std::string error_of(const Fields& fields) {
  auto r = build(fields);
  EXPECT_FALSE(r.ok()) << "accepted a wrong rule";
  return r.ok() ? std::string() : r.error().message;
}

TEST(RuleSchema, LiteralsReadAsTheirTypes) {
  // The tables below rely on it: a string literal is a string, not a bool.
  EXPECT_TRUE(std::holds_alternative<std::string>(RuleValue("x")));
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(RuleValue(std::int64_t{3})));
}

TEST(RuleSchema, EveryBaseRuleIsValid) {
  for (const auto kind : {"after_purchase", "days_without_purchase", "nth_purchase", "registration",
                          "birthday", "cell_entered", "recurring", "task"}) {
    auto r = build(base_for(kind));
    EXPECT_TRUE(r.ok()) << kind << ": " << (r.ok() ? "" : r.error().message);
  }
}

TEST(RuleSchema, WrongTypeOfEveryFieldNamesRuleFieldAndType) {
  for (const RuleField& f : rule_fields()) {
    SCOPED_TRACE(std::string(f.key));
    const std::string kind = f.key.starts_with("action.") && f.kinds == "task" ? "task" : first_kind(f);
    RuleValue wrong;
    std::string expected;
    switch (f.type) {
      case RawType::string:
        wrong = std::int64_t{7};
        expected = "must be a string, not a whole number";
        break;
      case RawType::integer:
        wrong = std::string("7");
        expected = "must be a whole number, not a string";
        break;
      case RawType::boolean:
        wrong = std::string("yes");
        expected = "must be true or false, not a string";
        break;
    }
    Fields base = base_for(kind);
    // Fields that belong to one variant of their kind.
    if (f.key == "trigger.day_of_month") base = with(base, "trigger.every", "month");
    if (f.key == "action.subject") base = with(base, "action.channel", "email");
    const std::string e = error_of(with(base, std::string(f.key), wrong));
    EXPECT_NE(e.find(std::string(f.key) + ": " + expected), std::string::npos) << e;
    EXPECT_NE(e.find("rules.toml:"), std::string::npos) << e;
    if (f.key != "id") {
      EXPECT_NE(e.find("rule \"t\""), std::string::npos) << e;
    }
  }
}

TEST(RuleSchema, OutOfRangeIntegersSayTheRangeTheDocsList) {
  struct Case {
    std::string key;
    std::int64_t value;
  };
  for (const Case& c :
       {Case{"priority", 101}, Case{"priority", -1}, Case{"trigger.days", 0}, Case{"trigger.days", 3651},
        Case{"trigger.n", 0}, Case{"trigger.n", 1001}, Case{"trigger.days_before", 61},
        Case{"trigger.day_of_month", 29}, Case{"trigger.day_of_month", 0}}) {
    SCOPED_TRACE(c.key);
    const RuleField* field = nullptr;
    for (const RuleField& f : rule_fields())
      if (f.key == c.key) field = &f;
    ASSERT_NE(field, nullptr);
    Fields base = base_for(first_kind(*field));
    if (c.key == "trigger.day_of_month") base = with(base, "trigger.every", "month");
    const std::string e = error_of(with(base, c.key, c.value));
    EXPECT_NE(e.find("rule \"t\" " + c.key + ": " + std::to_string(c.value) +
                     " is out of range (allowed: " + std::string(field->allowed) + ")"),
              std::string::npos)
        << e;
  }
}

TEST(RuleSchema, UnknownKeyListsTheKnownOnes) {
  const std::string e = error_of(with(base_for("days_without_purchase"), "trigger.dayz", std::int64_t{15}));
  EXPECT_NE(e.find("rules.toml:17: rule \"t\" has an unknown key \"trigger.dayz\" (allowed: id, enabled"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("trigger.days,"), std::string::npos) << e;
}

TEST(RuleSchema, UnknownTriggerKindListsTheKinds) {
  const std::string e = error_of(with(base_for("after_purchase"), "trigger.kind", "after_purchse"));
  EXPECT_NE(e.find("rule \"t\" trigger.kind: \"after_purchse\" is not allowed (allowed: \"after_purchase\", "
                   "\"days_without_purchase\", \"nth_purchase\", \"registration\", \"birthday\", "
                   "\"cell_entered\", \"recurring\")"),
            std::string::npos)
      << e;
  // Its fields are not reported again as unused.
  EXPECT_EQ(e.find("trigger.delay"), std::string::npos) << e;
}

TEST(RuleSchema, ChoicesListWhatIsAllowed) {
  EXPECT_NE(
      error_of(with(base_for("message"), "action.channel", "telegram"))
          .find("action.channel: \"telegram\" is not allowed (allowed: \"sms\", \"whatsapp\", \"email\")"),
      std::string::npos);
  EXPECT_NE(error_of(with(base_for("task"), "action.channel", "pigeon"))
                .find("(allowed: \"whatsapp\", \"sms\", \"email\", \"call\")"),
            std::string::npos);
  EXPECT_NE(error_of(with(base_for("message"), "action.kind", "letter"))
                .find("action.kind: \"letter\" is not allowed (allowed: \"message\", \"task\")"),
            std::string::npos);
  EXPECT_NE(error_of(with(base_for("recurring"), "trigger.every", "day"))
                .find("trigger.every: \"day\" is not allowed (allowed: \"week\", \"month\")"),
            std::string::npos);
  EXPECT_NE(
      error_of(with(base_for("recurring"), "trigger.weekday", "segunda")).find("\"monday\", \"tuesday\""),
      std::string::npos);
  EXPECT_NE(error_of(with(base_for("cell_entered"), "trigger.cell", "vip"))
                .find("is not a lifecycle cell (cells: "),
            std::string::npos);
  EXPECT_NE(
      error_of(with(base_for("recurring"), "trigger.segment", "nobody")).find("\"nobody\" is not a segment"),
      std::string::npos);
  EXPECT_NE(error_of(with(base_for("message"), "id", "Rating 1h")).find("id: \"Rating 1h\" is not a rule id"),
            std::string::npos);
}

TEST(RuleSchema, MissingRequiredFieldsAreNamed) {
  for (const RuleField& f : rule_fields()) {
    if (!f.fallback.starts_with("required")) continue;
    SCOPED_TRACE(std::string(f.key));
    const std::string key(f.key);
    std::string kind = key.starts_with("action.") ? (f.kinds == "task" ? "task" : "message") : first_kind(f);
    const std::string e = error_of(without(base_for(kind), key));
    const std::string name = key == "id" ? "[[rule]] #4" : "rule \"t\"";
    EXPECT_NE(e.find("rules.toml:10: " + name + " needs " + key + " ("), std::string::npos) << e;
  }
}

TEST(RuleSchema, FieldOfAnotherKindSaysWhatTheKindTakes) {
  const std::string e = error_of(with(base_for("after_purchase"), "trigger.days", std::int64_t{15}));
  EXPECT_NE(e.find("rule \"t\" trigger.days: is not used by trigger kind \"after_purchase\" (it takes: "
                   "trigger.delay, trigger.at)"),
            std::string::npos)
      << e;
  const std::string t = error_of(with(base_for("message"), "action.title", "x"));
  EXPECT_NE(t.find("action.title: is not used by action kind \"message\""), std::string::npos) << t;
}

TEST(RuleSchema, WeekdayAndDayOfMonthBelongToTheirPeriod) {
  const std::string e = error_of(
      with(with(base_for("recurring"), "trigger.every", "week"), "trigger.day_of_month", std::int64_t{5}));
  EXPECT_NE(e.find("trigger.day_of_month: is only for trigger.every = \"month\""), std::string::npos) << e;
  const std::string m =
      error_of(with(with(base_for("recurring"), "trigger.every", "month"), "trigger.weekday", "friday"));
  EXPECT_NE(m.find("trigger.weekday: is only for trigger.every = \"week\""), std::string::npos) << m;
}

TEST(RuleSchema, BadDurations) {
  for (const auto* bad : {"3 days", "1x", "h", "1.5h", "-1h", "1H", "", "3dd"}) {
    SCOPED_TRACE(bad);
    const std::string e = error_of(with(base_for("after_purchase"), "trigger.delay", bad));
    EXPECT_NE(e.find("rule \"t\" trigger.delay: \"" + std::string(bad) +
                     "\" is not a duration: a number and a unit m, h, d or w"),
              std::string::npos)
        << e;
  }
  EXPECT_NE(error_of(with(base_for("after_purchase"), "trigger.delay", "3651d")).find("is too long (at most"),
            std::string::npos);
  EXPECT_NE(error_of(with(base_for("task"), "action.expires_in", "1h"))
                .find("a task would expire (1h) before it is due (1d)"),
            std::string::npos);
  // A time of day needs a delay in whole days.
  EXPECT_NE(error_of(with(with(base_for("after_purchase"), "trigger.delay", "1h"), "trigger.at", "10:00"))
                .find("trigger.at: needs trigger.delay in whole days"),
            std::string::npos);
  EXPECT_NE(error_of(with(base_for("days_without_purchase"), "trigger.at", "24:00"))
                .find("trigger.at: \"24:00\" is not a time of day"),
            std::string::npos);
}

TEST(RuleSchema, BadTemplatePlaceholderSaysWhereAndTheKnownOnes) {
  const std::string e = error_of(with(base_for("message"), "action.template", "Oi {fist_name}!"));
  EXPECT_NE(e.find("rule \"t\" action.template: at character 4: unknown placeholder {fist_name} (known: "
                   "{first_name}, {name}, {store}, {days_since_last}"),
            std::string::npos)
      << e;
  for (const auto* bad : {"Oi {first_name", "Oi {?, {first_name}", "Oi }", "Oi {}", "{?a{?b}}"}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(
        error_of(with(base_for("message"), "action.template", bad)).find("action.template: at character"),
        std::string::npos);
  }
}

TEST(RuleSchema, BadConditionsSayTheColumn) {
  const std::string e = error_of(with(base_for("message"), "conditions", "purchases_last(90) >== 4"));
  EXPECT_NE(e.find("rule \"t\" conditions: at column "), std::string::npos) << e;
}

TEST(RuleSchema, EveryMistakeIsReportedAtOnceOnePerLine) {
  Fields f = with(base_for("days_without_purchase"), "trigger.days", std::int64_t{0});
  f = with(f, "priority", std::int64_t{500});
  f = with(f, "action.channel", "fax");
  const std::string e = error_of(f);
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 2) << e;
}

TEST(RuleSchema, DefaultsPerTrigger) {
  auto inactive = build(base_for("days_without_purchase"));
  ASSERT_TRUE(inactive.ok());
  EXPECT_TRUE(inactive->guards.cancel_if_bought);
  EXPECT_EQ(inactive->trigger.at, std::chrono::minutes{10 * 60});
  EXPECT_EQ(inactive->priority, 50);
  auto after = build(base_for("after_purchase"));
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->guards.cancel_if_bought);
  EXPECT_FALSE(after->trigger.at);
  auto task = build(base_for("task"));
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->action.channel, ContactChannel::whatsapp);
  EXPECT_EQ(task->action.due_in, std::chrono::seconds{24h});
  EXPECT_EQ(task->action.expires_in, std::chrono::seconds{std::chrono::days{7}});
}

TEST(DefaultPack, HasExactlyTheStableIds) {
  auto pack = default_pack();
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  std::vector<std::string> ids;
  for (const Rule& r : *pack)
    ids.push_back(r.id);
  const std::vector<std::string> expected{"rating-1h",       "review-3d", "inactive-15d", "inactive-180d",
                                          "loyal-quiet-30d", "welcome",   "birthday",     "survey-3rd"};
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(std::vector<std::string>(default_rule_ids().begin(), default_rule_ids().end()), expected);
}

TEST(DefaultPack, SeedZeroZeroZerosFiveRules) {
  // [SMS] 1 hora após a compra - formulário de avaliação de atendimento
  const Rule rating = test::default_rule("rating-1h");
  EXPECT_EQ(rating.trigger.kind, TriggerKind::after_purchase);
  EXPECT_EQ(rating.trigger.delay, std::chrono::seconds{1h});
  EXPECT_FALSE(rating.trigger.at);
  EXPECT_EQ(rating.action.kind, ActionKind::message);
  EXPECT_EQ(rating.action.channel, ContactChannel::sms);
  EXPECT_EQ(rating.action.text.keys(), (std::vector<std::string>{"first_name", "store", "rating_url"}));
  EXPECT_FALSE(rating.guards.cancel_if_bought);
  EXPECT_TRUE(rating.conditions.empty());

  // [SMS] 3 dias após a compra - formulário de avaliação dos produtos
  const Rule review = test::default_rule("review-3d");
  EXPECT_EQ(review.trigger.kind, TriggerKind::after_purchase);
  EXPECT_EQ(review.trigger.delay, std::chrono::seconds{std::chrono::days{3}});
  EXPECT_EQ(review.action.channel, ContactChannel::sms);
  EXPECT_EQ(review.action.text.keys(), (std::vector<std::string>{"first_name", "store", "review_url"}));

  // [SMS] 15 dias sem comprar; [SMS] 180 dias sem comprar
  for (const auto& [id, expected_days] : {std::pair{"inactive-15d", 15}, std::pair{"inactive-180d", 180}}) {
    const Rule r = test::default_rule(id);
    EXPECT_EQ(r.trigger.kind, TriggerKind::days_without_purchase) << id;
    EXPECT_EQ(r.trigger.days, expected_days) << id;
    EXPECT_EQ(r.action.kind, ActionKind::message) << id;
    EXPECT_EQ(r.action.channel, ContactChannel::sms) << id;
    EXPECT_TRUE(r.guards.cancel_if_bought) << id;
    EXPECT_TRUE(r.conditions.empty()) << id;
  }

  // [Tarefa] whatsapp manual para clientes com pelo menos 4 pedidos nos últimos 90 dias, há 30 dias
  // sem comprar.
  const Rule loyal = test::default_rule("loyal-quiet-30d");
  EXPECT_EQ(loyal.trigger.kind, TriggerKind::days_without_purchase);
  EXPECT_EQ(loyal.trigger.days, 30);
  EXPECT_EQ(loyal.conditions, "purchases_last(90) >= 4");
  EXPECT_EQ(loyal.action.kind, ActionKind::task);
  EXPECT_EQ(loyal.action.channel, ContactChannel::whatsapp);
  EXPECT_FALSE(loyal.action.text.empty());
  EXPECT_FALSE(loyal.action.title.empty());
  EXPECT_TRUE(loyal.guards.cancel_if_bought);
}

TEST(DefaultPack, SeedZeroZeroTwosThree) {
  const Rule welcome = test::default_rule("welcome");
  EXPECT_EQ(welcome.trigger.kind, TriggerKind::registration);
  const Rule birthday = test::default_rule("birthday");
  EXPECT_EQ(birthday.trigger.kind, TriggerKind::birthday);
  EXPECT_EQ(birthday.trigger.days_before, 0);
  const Rule survey = test::default_rule("survey-3rd");
  EXPECT_EQ(survey.trigger.kind, TriggerKind::nth_purchase);
  EXPECT_EQ(survey.trigger.n, 3);
  EXPECT_EQ(survey.action.text.keys().back(), "survey_url");
}

TEST(DefaultPack, RuleSetLeavesRulesWithoutTheirLinkOffWithAWarning) {
  RuleSetOptions options;
  auto set = assemble_rules(options, StoreLinks{"https://r/rate", "", ""});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->off, (std::vector<std::string>{"review-3d", "survey-3rd"}));
  ASSERT_EQ(set->warnings.size(), 2u);
  EXPECT_NE(set->warnings[0].find("set [links] review_url"), std::string::npos);
  options.disable = {"birthday", "nope"};
  auto bad = assemble_rules(options, StoreLinks{"a", "b", "c"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("\"nope\" is not a default rule"), std::string::npos);
}

TEST(Templates, DefaultTextsRender) {
  const std::map<std::string, std::string> ana{
      {"first_name", "Ana"},          {"store", "Loja Centro"}, {"rating_url", "https://r/rate"},
      {"days_since_last", "30"},      {"name", "Ana Souza"},    {"purchases", "5"},
      {"last_purchase", "01/03/2026"}};
  const auto values = [](const std::map<std::string, std::string>& m) {
    return TemplateValues([&m](std::string_view key) -> std::optional<std::string> {
      auto it = m.find(std::string(key));
      if (it == m.end()) return std::nullopt;
      return it->second;
    });
  };
  const Rule rating = test::default_rule("rating-1h");
  EXPECT_EQ(render_template(rating.action.text, values(ana)),
            "Oi, Ana! Obrigado pela visita à Loja Centro. Como foi o seu atendimento? Sua opinião leva 1 "
            "minuto: https://r/rate");
  const std::map<std::string, std::string> nameless{{"store", "Loja Centro"},
                                                    {"rating_url", "https://r/rate"}};
  EXPECT_EQ(render_template(rating.action.text, values(nameless)),
            "Oi! Obrigado pela visita à Loja Centro. Como foi o seu atendimento? Sua opinião leva 1 minuto: "
            "https://r/rate");
  const Rule loyal = test::default_rule("loyal-quiet-30d");
  EXPECT_EQ(render_template(loyal.action.title, values(ana)), "WhatsApp para Ana Souza: 30 dias sem comprar");
  EXPECT_TRUE(render_template(loyal.action.instructions, values(ana))
                  .starts_with("Cliente fiel: 5 compras, a última em 01/03/2026. "));
}

TEST(Templates, SyntaxAndLinks) {
  auto t = parse_template("{{literal}} {?[{name}]}{store|loja}");
  ASSERT_TRUE(t.ok()) << t.error().message;
  const TemplateValues none = [](std::string_view) { return std::optional<std::string>{}; };
  EXPECT_EQ(render_template(*t, none), "{literal} loja");
  EXPECT_EQ(url_encode("Oi, Ana! Até já"), "Oi%2C%20Ana%21%20At%C3%A9%20j%C3%A1");
  EXPECT_EQ(whatsapp_link("+5511987654321", "Oi, Ana!"), "https://wa.me/5511987654321?text=Oi%2C%20Ana%21");
}

TEST(Durations, ReadAndWrite) {
  EXPECT_EQ(parse_duration("0"), std::chrono::seconds{0});
  EXPECT_EQ(parse_duration("90m"), std::chrono::seconds{90min});
  EXPECT_EQ(parse_duration("1h"), std::chrono::seconds{1h});
  EXPECT_EQ(parse_duration("3d"), std::chrono::seconds{72h});
  EXPECT_EQ(parse_duration("2w"), std::chrono::seconds{14 * 24h});
  for (const auto* bad : {"", "1", "h", "1.5h", "-1h", "+1h", "1H", "1 h", "0h0", "999999999d"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
  EXPECT_EQ(format_duration(std::chrono::seconds{90min}), "90m");
  EXPECT_EQ(format_duration(std::chrono::seconds{14 * 24h}), "2w");
  EXPECT_EQ(parse_time_of_day("09:30"), std::chrono::minutes{570});
  EXPECT_FALSE(parse_time_of_day("9:30"));
  EXPECT_FALSE(parse_time_of_day("23:60"));
}

}  // namespace
}  // namespace regua
