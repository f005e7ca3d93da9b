// Enrolling a store, the hub's rules on their own (cloud/enrolment/enroller.hpp over a real SQLite
// hub database, a CA made by the openssl command) and the X.509 checks both sides make
// (sync/enrolment_x509.hpp): a CSR whose signature does not hold or whose key is weak is refused
// without spending the token; the issued certificate names the token's store whatever the CSR
// asks; a token is refused when unknown, expired or used; the agent's checks catch a certificate
// for another key or under another CA.

#include <memory>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cloud/enrolment/enroller.hpp"
#include "cloud/storage/sqlite_hub_store.hpp"
#include "sync/enrolment_token.hpp"
#include "sync/enrolment_x509.hpp"
#include "tests/support/ledger_fixture.hpp"
#include "tests/support/test_pki.hpp"

namespace regua::test {
namespace {

std::string pem_of_request(X509_REQ* req) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(bio, req);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return out;
}

// A CSR for `key`, CN `cn`, signed by `signer` (another key than its own: a forged request).
std::string request_with(EVP_PKEY* key, EVP_PKEY* signer, const std::string& cn) {
  X509_REQ* req = X509_REQ_new();
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req, key);
  X509_REQ_sign(req, signer, EVP_sha256());
  auto pem = pem_of_request(req);
  X509_REQ_free(req);
  return pem;
}

class EnrolmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki.ok()) << pki.error();
    auto opened = hub::open_sqlite_hub_store(dir / "hub.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(*opened);
    issuer = {read_file(pki.ca_cert()), read_file(dir / "pki" / "ca.key")};
    enroller = std::make_unique<hub::Enroller>("rede", issuer, 30, *store, clock);
    auto pin = sync::certificate_sha256(issuer.ca_cert_pem);
    ASSERT_TRUE(pin.ok());
    ca_pin = *pin;
  }

  // A token for `store_id`, stored as `regua-hub enrol token` stores it; returns the Bearer value.
  std::string token_for(const std::string& store_id, std::chrono::seconds ttl = std::chrono::hours(24)) {
    auto t = sync::new_enrolment_token(ca_pin);
    EXPECT_TRUE(t.ok());
    const auto now = clock.now().time_since_epoch().count();
    EXPECT_TRUE(store
                    ->add_enrolment_token({t->id, sync::enrolment_secret_hash(t->secret), store_id, now,
                                           now + ttl.count(), std::nullopt})
                    .ok());
    return "Bearer " + t->bearer();
  }

  hub::EnrolReply enrol(const std::string& authorization, const std::string& csr,
                        const std::string& store_id = "") {
    nlohmann::json body{{"csr", csr}};
    if (!store_id.empty()) body["store"] = store_id;
    return enroller->enrol(authorization, body.dump());
  }

  TempDir dir;
  TestPki pki{dir / "pki"};
  // The real time: the agent's checks (OpenSSL's) run at the real time, and must find the certificate valid.
  ManualClock clock{SystemClock().now()};
  std::unique_ptr<hub::HubStore> store;
  sync::Issuer issuer;
  std::unique_ptr<hub::Enroller> enroller;
  std::string ca_pin;
};

TEST_F(EnrolmentTest, TheCertificateNamesTheTokensStoreWhateverTheCsrAsks) {
  auto made = sync::make_key_and_csr("rede/outra-loja");
  ASSERT_TRUE(made.ok()) << made.error().message;
  const auto reply = enrol(token_for("centro"), made->csr_pem);
  ASSERT_EQ(reply.status, 200) << reply.body.dump();
  EXPECT_EQ(reply.body["store"], "centro");
  EXPECT_EQ(reply.body["subject"], "rede/centro");
  const auto cert = reply.body["certificate"].get<std::string>();
  EXPECT_EQ(*sync::certificate_common_name(cert), "rede/centro");
  EXPECT_EQ(reply.body["ca"], issuer.ca_cert_pem);
  // What the agent checks holds: for its key, under the CA, for client authentication.
  EXPECT_TRUE(sync::check_issued_certificate(cert, made->key_pem, issuer.ca_cert_pem, "rede/centro").ok());
  EXPECT_FALSE(
      sync::check_issued_certificate(cert, made->key_pem, issuer.ca_cert_pem, "rede/outra-loja").ok());
  // cert_days from now (the hub's clock).
  EXPECT_EQ(reply.body["not_after"], clock.now().time_since_epoch().count() + 30 * 86'400);
  EXPECT_NE(reply.log.find("asked for CN \"rede/outra-loja\""), std::string::npos) << reply.log;
}

TEST_F(EnrolmentTest, AForgedOrWeakCsrIsRefusedAndTheTokenStaysUnused) {
  const auto bearer = token_for("centro");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> other(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> rsa2048(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> p224(EVP_EC_gen("P-224"), EVP_PKEY_free);
  ASSERT_TRUE(key && other && rsa2048 && p224);

  auto r = enrol(bearer, request_with(key.get(), other.get(), "rede/centro"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"], "bad_csr");
  EXPECT_NE(r.body["message"].get<std::string>().find("signature is not valid"), std::string::npos) << r.body;

  r = enrol(bearer, request_with(rsa2048.get(), rsa2048.get(), "rede/centro"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["message"].get<std::string>().find("RSA of 2048 bits, too weak"), std::string::npos)
      << r.body;

  r = enrol(bearer, request_with(p224.get(), p224.get(), "rede/centro"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["message"].get<std::string>().find("secp224r1"), std::string::npos) << r.body;

  r = enrol(bearer, "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n");
  EXPECT_EQ(r.body["error"], "bad_csr");
  r = enroller->enrol(bearer, "{\"certificate\": 1}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"], "bad_request");

  // A token of another store than the agent says it is: refused, not spent.
  auto made = sync::make_key_and_csr("x");
  ASSERT_TRUE(made.ok());
  r = enrol(bearer, made->csr_pem, "norte");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body["error"], "wrong_store");

  // None of that spent the token.
  r = enrol(bearer, made->csr_pem, "centro");
  EXPECT_EQ(r.status, 200) << r.body;
  // An RSA key of 3072 bits is strong enough.
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> rsa3072(EVP_RSA_gen(3072), EVP_PKEY_free);
  auto checked = sync::check_csr(request_with(rsa3072.get(), rsa3072.get(), "x"));
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_EQ(checked->key_kind, "RSA 3072");
}

TEST_F(EnrolmentTest, ATokenIsRefusedWhenUnknownExpiredOrUsedAndTheLogHoldsNoSecret) {
  auto made = sync::make_key_and_csr("x");
  ASSERT_TRUE(made.ok());
  const auto bearer = token_for("centro");
  const auto secret = bearer.substr(bearer.find('.') + 1);

  auto r = enrol("", made->csr_pem);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body["error"], "token_missing");
  // The right id with another secret is unknown, like any made-up token.
  r = enrol(bearer.substr(0, bearer.size() - 1) + (bearer.back() == '0' ? "1" : "0"), made->csr_pem);
  EXPECT_EQ(r.body["error"], "token_unknown");
  r = enrol("Bearer nonsense", made->csr_pem);
  EXPECT_EQ(r.body["error"], "token_unknown");

  r = enrol(bearer, made->csr_pem);
  ASSERT_EQ(r.status, 200) << r.body;
  r = enrol(bearer, made->csr_pem);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body["error"], "token_used");
  EXPECT_NE(r.body["message"].get<std::string>().find("already used"), std::string::npos);
  EXPECT_EQ(r.log.find(secret), std::string::npos) << r.log;

  const auto short_lived = token_for("norte", std::chrono::seconds(60));
  clock.advance(std::chrono::seconds(60));
  r = enrol(short_lived, made->csr_pem);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body["error"], "token_expired");
  EXPECT_NE(r.body["message"].get<std::string>().find("expired"), std::string::npos);
}

TEST_F(EnrolmentTest, TheAgentRefusesACertificateForAnotherKeyOrUnderAnotherCa) {
  auto made = sync::make_key_and_csr("x");
  auto other = sync::make_key_and_csr("x");
  ASSERT_TRUE(made.ok() && other.ok());
  auto cert = sync::issue_client_certificate(issuer, made->csr_pem, "rede/centro", 30,
                                             clock.now().time_since_epoch().count());
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  EXPECT_TRUE(sync::check_issued_certificate(*cert, made->key_pem, issuer.ca_cert_pem, "").ok());
  auto wrong_key = sync::check_issued_certificate(*cert, other->key_pem, issuer.ca_cert_pem, "");
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_NE(wrong_key.error().message.find("not for this store's new key"), std::string::npos);
  TestPki stranger(dir / "stranger");
  ASSERT_TRUE(stranger.ok());
  auto wrong_ca = sync::check_issued_certificate(*cert, made->key_pem, read_file(stranger.ca_cert()), "");
  ASSERT_FALSE(wrong_ca.ok());
  EXPECT_NE(wrong_ca.error().message.find("does not chain to the CA"), std::string::npos);
  // The endpoint's certificate check: the test CA's server certificate is under it, not under another.
  EXPECT_TRUE(sync::check_signed_by(read_file(pki.server_cert()), issuer.ca_cert_pem).ok());
  EXPECT_FALSE(sync::check_signed_by(read_file(stranger.server_cert()), issuer.ca_cert_pem).ok());
}

TEST(EnrolmentToken, ThePrintedFormRoundTripsAndAMangledOneIsAClearUsageError) {
  const std::string pin(64, 'a');
  auto t = sync::new_enrolment_token(pin);
  ASSERT_TRUE(t.ok());
  auto back = sync::parse_enrolment_token(" " + t->text() + "\n");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, t->id);
  EXPECT_EQ(back->secret, t->secret);
  EXPECT_EQ(back->ca_sha256, pin);
  EXPECT_NE(sync::new_enrolment_token(pin)->secret, t->secret);
  auto cut = sync::parse_enrolment_token(t->text().substr(0, t->text().size() - 3));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().kind, ErrorKind::usage);
  EXPECT_NE(cut.error().message.find("CA's SHA-256"), std::string::npos);
  EXPECT_EQ(cut.error().message.find(t->secret), std::string::npos);
  EXPECT_FALSE(sync::parse_enrolment_token(t->bearer()).ok());
  EXPECT_TRUE(sync::parse_enrolment_bearer(t->bearer()).ok());
}

}  // namespace
}  // namespace regua::test
