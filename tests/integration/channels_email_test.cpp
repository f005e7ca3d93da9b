// The e-mail channel against a real SMTP server started by the test: Debian's aiosmtpd
// (tests/support/smtp_standin.py), with STARTTLS required or implicit TLS, AUTH, and the test CA's
// certificate. The message arrives once, encrypted, with its headers and its text intact.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "tests/integration/channels_support.hpp"

namespace regua {
namespace {

using test::ChannelStore;
using test::eventually;
using test::ledger_value;

constexpr const char* kSmtpPassword = "smtp-password-5ecret";

std::string decode_base64_lines(const std::string& text) {
  std::string joined;
  for (const char c : text) {
    if (c != '\r' && c != '\n') joined += c;
  }
  std::string out(joined.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(joined.data()), static_cast<int>(joined.size()));
  if (n < 0) return "";
  out.resize(static_cast<std::size_t>(n));
  while (!joined.empty() && joined.back() == '=') {
    joined.pop_back();
    out.pop_back();
  }
  return out;
}

class SmtpServer {
 public:
  SmtpServer(const test::TestPki& pki, const std::filesystem::path& dir, const std::string& mode)
      : maildir(dir / "mail"), ready(dir / "smtp.ready") {
    std::filesystem::create_directories(maildir);
    process = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{
            "/usr/bin/python3", std::string(REGUA_TEST_DATA) + "/../support/smtp_standin.py", "--port",
            std::to_string(port), "--cert", pki.server_cert().string(), "--key", pki.server_key().string(),
            "--mode", mode == "implicit" ? "tls" : "starttls", "--maildir", maildir.string(), "--ready",
            ready.string(), "--user", "loja", "--password", kSmtpPassword},
        dir / "smtp.log");
  }
  ~SmtpServer() {
    process->signal(SIGTERM);
    if (!process->wait_for(std::chrono::seconds(10))) process->signal(SIGKILL);
  }
  bool started() const {
    return eventually([&] { return std::filesystem::exists(ready); }, std::chrono::seconds(30));
  }
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(maildir)) {
      if (e.path().extension() == ".eml") out.push_back(test::read_file(e.path()));
    }
    return out;
  }

  int port = test::free_loopback_port();
  std::filesystem::path maildir, ready;
  std::unique_ptr<test::ChildProcess> process;
};

void send_one_email(const std::string& mode, const std::string& security_line) {
  ::setenv("REGUA_SMTP_PASSWORD", kSmtpPassword, 1);
  ChannelStore s;
  ASSERT_TRUE(s.pki.ok()) << s.pki.error();
  SmtpServer smtp(s.pki, s.store.dir.path(), mode);
  ASSERT_TRUE(smtp.started()) << test::read_file(s.store.dir / "smtp.log");
  test::configure_rules(s.store);
  test::write_file(s.store.dir / "regras.toml", R"([[rule]]
id = "obrigado-email"
trigger = { kind = "after_purchase", delay = "1h" }
action = { kind = "message", channel = "email", subject = "Obrigado, {first_name|cliente}!", template = "Oi{?, {first_name}}! Obrigado pela visita à {store}. Até a próxima!" }
)");
  std::string config = test::read_file(s.store.config);
  config.replace(config.find("[rules]\n"), 8, "[rules]\nfile = \"regras.toml\"\n");
  test::write_file(s.store.config, config);
  s.configure("[channels.email]\nprovider = \"smtp\"\n[channels.smtp]\nhost = \"127.0.0.1\"\nport = " +
              std::to_string(smtp.port) + "\n" + security_line +
              "username = \"loja\"\nfrom = \"loja@loja.example\"\n");
  auto agent = s.start_agent();
  test::append_file(s.store.pos_file,
                    test::sale_due_now("S-1", "C-1", "Ana Souza", "(11) 98765-0001", "Ana@Example.com"));
  ASSERT_TRUE(eventually([&] {
    return ledger_value(s.store, "SELECT state FROM messages WHERE channel = 'email'") == "sent";
  })) << s.log()
      << ledger_value(s.store, "SELECT error FROM messages WHERE channel = 'email'");
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait(), 0);
  ::unsetenv("REGUA_SMTP_PASSWORD");

  const auto mails = smtp.messages();
  ASSERT_EQ(mails.size(), 1U);
  const auto& mail = mails[0];
  EXPECT_NE(mail.find("X-Envelope-From: loja@loja.example\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("X-Envelope-To: ana@example.com\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("X-Envelope-Tls: " + mode + "\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("\r\nSubject: Obrigado, Ana!\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("\r\nFrom: Loja de Teste <loja@loja.example>\r\n"), std::string::npos) << mail;
  const std::string id = ledger_value(s.store, "SELECT id FROM messages WHERE channel = 'email'");
  EXPECT_NE(mail.find("\r\nMessage-ID: <centro-" + id + "@regua>\r\n"), std::string::npos) << mail;
  const auto body_at = mail.find("\r\n\r\n", mail.find("Content-Transfer-Encoding: base64"));
  ASSERT_NE(body_at, std::string::npos) << mail;
  EXPECT_EQ(decode_base64_lines(mail.substr(body_at + 4)),
            "Oi, Ana! Obrigado pela visita à Loja de Teste. Até a próxima!");
  EXPECT_EQ(s.log().find(kSmtpPassword), std::string::npos) << "the password is never logged";
}

TEST(ChannelsEmail, SendsThroughStarttlsWithAuthentication) {
  send_one_email("starttls", "");
}

TEST(ChannelsEmail, SendsThroughImplicitTls) {
  send_one_email("implicit", "security = \"tls\"\n");
}

}  // namespace
}  // namespace regua
