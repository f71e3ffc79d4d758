// Tests for checks/dkim/dkim_key.cpp: the shared records table, dkimpy's key files, edge cases.
#include "checks/dkim/dkim_key.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/support/record_cases.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace mh::dkim {
namespace {

using State = DkimKeyState;
using Alg = DkimKeyAlgorithm;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct Expected {
  State state;
  Alg algorithm = Alg::Unknown;
  int bits = 0;
  bool testing = false;
  bool strict = false;
  bool sha1_only = false;
};

// Verdicts from RFC 6376 §3.2/§3.6.1, RFC 8463 and RFC 8301 (the parser reports sizes; the
// RFC 8301 minimum is judged by DKIM-02, see dkim_check_test.cpp).
const std::map<std::string, Expected> kRecordTable = {
    {"dkim-key-01", {State::Usable, Alg::Rsa, 2048}},
    {"dkim-key-02", {State::Usable, Alg::Rsa, 1024}},  // k defaults to rsa
    {"dkim-key-03", {State::Usable, Alg::Rsa, 1024}},  // v= is RECOMMENDED, not required
    // Parses; a 512-bit key is below RFC 8301's minimum, which DKIM-02 fails.
    {"dkim-key-04", {State::Usable, Alg::Rsa, 512}},
    // RFC 6376 §3.6.1 literally names RSAPublicKey (PKCS#1); accepted like SPKI.
    {"dkim-key-05", {State::Usable, Alg::Rsa, 1024}},
    {"dkim-key-06", {State::Usable, Alg::Ed25519, 256}},
    {"dkim-key-07", {State::Unusable}},  // RFC 8463 §4.2: 32 raw bytes; "AAAA" is 3
    {"dkim-key-08", {State::Revoked}},   // §3.6.1: empty p= means revoked
    {"dkim-key-09", {State::Invalid}},   // §3.6.1: p= is REQUIRED
    {"dkim-key-10", {State::Invalid}},   // §3.6.1: v= other than DKIM1 MUST be discarded
    // The v= value runs to the ';' and reads "DKIM1: k=rsa", which is not "DKIM1".
    {"dkim-key-11", {State::Invalid}},
    {"dkim-key-12", {State::Unusable}},  // §3.6.1: unrecognised key types MUST be ignored
    {"dkim-key-13", {State::Usable, Alg::Rsa, 1024, true}},
    {"dkim-key-14", {State::Usable, Alg::Rsa, 1024, false, true}},
    {"dkim-key-15", {State::Usable, Alg::Rsa, 1024, true, true}},
    // A verifier can use the record syntactically; RFC 8301 §3.1 forbids rsa-sha1, so DKIM-02
    // fails it.
    {"dkim-key-16", {State::Usable, Alg::Rsa, 1024, false, false, true}},
    {"dkim-key-17", {State::Usable, Alg::Rsa, 1024}},
    {"dkim-key-18", {State::Usable, Alg::Rsa, 1024}},
    // §3.6.1 s=: verifiers MUST ignore the record for a service not listed; s=tlsrpt is for
    // RFC 8460 report signing only.
    {"dkim-key-19", {State::NotForEmail, Alg::Rsa, 1024}},
    // Unknown service types are ignored, which leaves no service that includes email.
    {"dkim-key-20", {State::NotForEmail, Alg::Rsa, 1024}},
    {"dkim-key-21", {State::Unusable}},                // not base64
    {"dkim-key-22", {State::Usable, Alg::Rsa, 1024}},  // §3.6.1: FWS allowed inside p=
    {"dkim-key-23", {State::Unusable}},                // truncated DER
};

void expectMatches(const DkimKey& key, const Expected& want, const std::string& what) {
  EXPECT_EQ(toString(key.state), toString(want.state)) << what << ": " << key.problem;
  EXPECT_EQ(toString(key.algorithm), toString(want.algorithm)) << what;
  EXPECT_EQ(key.key_bits, want.bits) << what;
  EXPECT_EQ(key.testing, want.testing) << what;
  EXPECT_EQ(key.strict, want.strict) << what;
  EXPECT_EQ(key.sha1Only(), want.sha1_only) << what;
  if (want.state == State::Invalid || want.state == State::Unusable) {
    EXPECT_FALSE(key.problem.empty()) << what;
  }
}

TEST(DkimKeyRecords, EveryCaseOfTheSharedTableHasAVerdict) {
  auto cases = testing_support::loadRecordCases("dkim-key.jsonl");
  ASSERT_FALSE(cases.empty());
  for (const auto& [id, input] : cases) {
    auto it = kRecordTable.find(id);
    if (it == kRecordTable.end()) {
      ADD_FAILURE() << "no expected verdict for " << id;
      continue;
    }
    expectMatches(parseDkimKey(input), it->second, id);
  }
  for (const auto& [id, want] : kRecordTable) EXPECT_TRUE(cases.count(id)) << "stale row " << id;
}

TEST(DkimKeyRecords, KeyFormatsAndLooksLikeDkim) {
  auto cases = testing_support::loadRecordCases("dkim-key.jsonl");
  EXPECT_EQ(parseDkimKey(cases["dkim-key-01"]).key_format, "spki");
  EXPECT_EQ(parseDkimKey(cases["dkim-key-05"]).key_format, "pkcs1");
  EXPECT_EQ(parseDkimKey(cases["dkim-key-06"]).key_format, "raw");
  for (const auto& [id, input] : cases) EXPECT_TRUE(parseDkimKey(input).looks_like_dkim) << id;
}

// dkimpy's key files; what each should yield is in ../shared/testdata/SOURCES.md.
TEST(DkimKeyDkimpy, FilesYieldWhatDkimpyExpects) {
  const std::string dir = std::string(MH_SHARED_DIR) + "/testdata/dkim/dkimpy/";
  struct Row {
    const char* file;
    Expected want;
  };
  const Row rows[] = {
      {"test.txt", {State::Usable, Alg::Rsa, 1024}},
      {"test2.txt", {State::Usable, Alg::Rsa, 1024}},  // implicit k=rsa
      {"test_bad.txt", {State::Unusable}},             // altered base64: DER no longer parses
      {"badk.txt", {State::Unusable}},                 // k=ed25519-sha256 is not a key type
      {"badversion.txt", {State::Invalid}},            // v=DKIM1: ... is not v=DKIM1
      {"test_tlsrpt.txt", {State::NotForEmail, Alg::Rsa, 1024}},  // s=tlsrpt only
      {"ed25519test.dns", {State::Usable, Alg::Ed25519, 256}},    // no v=
      {"eximtest.dns", {State::Usable, Alg::Ed25519, 256}},
  };
  for (const auto& row : rows)
    expectMatches(parseDkimKey(readFile(dir + row.file)), row.want, row.file);
  // test.txt (no s=) is usable for TLS-RPT too: s defaults to "*".
  EXPECT_TRUE(parseDkimKey(readFile(dir + "test.txt")).service_types.empty());
}

TEST(DkimKey, KEd25519WithAnRsaKeyIsAMismatch) {
  auto key = parseDkimKey(
      "v=DKIM1; k=ed25519; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDGQfq1WKCfZ935C3q4rOgPLO1XJMK9k7"
      "EAGP2vGOUR0Q3ab9Hy5oGvODwS7v9tnSRth52EY/0jRyM0DQTKefjqN205tTLMyM2mtTBOmkvwp8GqdNkSbdrAoOk+"
      "pY97mxzJ0twrVMLlbcqsPJmzeWp4D8GPpFZv0CmJP55mdr41ywIDAQAB");
  EXPECT_EQ(key.state, State::Unusable);
  EXPECT_EQ(key.problem, "k=ed25519 but p= holds an RSA key");
  auto rev = parseDkimKey("v=DKIM1; k=rsa; p=7+UOG0KwBPSFEg8ZhKjyVUkeJRrnl7dHKoIsDAI2/gs=");
  EXPECT_EQ(rev.state, State::Unusable);
  EXPECT_NE(rev.problem.find("Ed25519"), std::string::npos);
}

TEST(DkimKey, TagListSyntax) {
  // Duplicate tags make the whole tag-list invalid (RFC 6376 §3.2).
  EXPECT_EQ(parseDkimKey("v=DKIM1; p=; p=").state, State::Invalid);
  // v= must be first (§3.6.1).
  EXPECT_EQ(parseDkimKey("k=rsa; v=DKIM1; p=").state, State::Invalid);
  // Trailing ';', empty specs and whitespace around '=' are accepted.
  EXPECT_EQ(parseDkimKey("v=DKIM1;; p = ;").state, State::Revoked);
  // Tag names are ALPHA *(ALPHA / DIGIT / "_").
  EXPECT_EQ(parseDkimKey("google-site-verification=abc").state, State::Invalid);
  EXPECT_FALSE(parseDkimKey("google-site-verification=abc").looks_like_dkim);
  EXPECT_FALSE(parseDkimKey("v=spf1 -all").looks_like_dkim);
  EXPECT_EQ(parseDkimKey("").state, State::Invalid);
  // h= with only unknown algorithms leaves none usable; h=sha1:sha256 is not sha1-only.
  EXPECT_EQ(parseDkimKey("k=ed25519; h=md5; p=7+UOG0KwBPSFEg8ZhKjyVUkeJRrnl7dHKoIsDAI2/gs=").state,
            State::Unusable);
  EXPECT_FALSE(
      parseDkimKey("k=ed25519; h=sha1:sha256; p=7+UOG0KwBPSFEg8ZhKjyVUkeJRrnl7dHKoIsDAI2/gs=")
          .sha1Only());
  // t= unknown flags are ignored; s= with email among unknown types stays usable.
  auto k =
      parseDkimKey("k=ed25519; t=x:y; s=foo:email; p=7+UOG0KwBPSFEg8ZhKjyVUkeJRrnl7dHKoIsDAI2/gs=");
  EXPECT_EQ(k.state, State::Usable);
  EXPECT_TRUE(k.testing);
  // k= is case-sensitive (§3.2: tag values are case-sensitive unless stated).
  EXPECT_EQ(parseDkimKey("k=ED25519; p=7+UOG0KwBPSFEg8ZhKjyVUkeJRrnl7dHKoIsDAI2/gs=").state,
            State::Unusable);
}

TEST(DkimKey, Base64) {
  std::string out;
  EXPECT_TRUE(decodeBase64("aGVs bG8=", out));
  EXPECT_EQ(out, "hello");
  EXPECT_TRUE(decodeBase64("aGVsbG8", out));  // unpadded
  EXPECT_FALSE(decodeBase64("aGVsbG8==", out));
  EXPECT_FALSE(decodeBase64("a", out));
  EXPECT_FALSE(decodeBase64("aG=Vs", out));
  EXPECT_FALSE(decodeBase64("aGVs!", out));
}

TEST(DkimKey, JsonEvidence) {
  auto j =
      toJson(parseDkimKey("v=DKIM1; k=ed25519; p=7+UOG0KwBPSFEg8ZhKjyVUkeJRrnl7dHKoIsDAI2/gs="));
  EXPECT_EQ(j.find("state")->asString(), "usable");
  EXPECT_EQ(j.find("algorithm")->asString(), "ed25519");
  EXPECT_EQ(j.find("bits")->asInt(), 256);
}

}  // namespace
}  // namespace mh::dkim
