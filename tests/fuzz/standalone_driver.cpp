// A libFuzzer-compatible driver for CI without clang: feeds a fuzz target its corpus, then
// deterministic random and mutated inputs (structure-aware enough to reach parser branches).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Fragments that make random inputs look like the records under test.
const char* const kDictionary[] = {
    "v=spf1 ", "v=DMARC1;", "v=DKIM1;", "v=STSv1;", "v=TLSRPTv1;", "include:", "redirect=", "exp=",
    "a:", "mx:", "ptr", "exists:", "ip4:", "ip6:", "all", "-all", "~all", "?all", "+all", "%{i}",
    "%{ir}", "%{d2}", "%{l-}", "%{h}", "%%", "%_", "%-", "/24", "//64", "p=", "sp=", "np=",
    "rua=", "ruf=", "mailto:", "pct=", "t=y", "psd=", "k=rsa", "k=ed25519", "h=sha256", "s=email",
    "id=", "mode: enforce\n", "mx: ", "max_age: ", "version: STSv1\n", "\r\n", ";", "=", ":", ",",
    "!", "10m", "*.", "."};

std::vector<std::uint8_t> readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void mutate(std::vector<std::uint8_t>& buf, std::mt19937_64& rng) {
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:  // flip a byte
        if (!buf.empty()) buf[rng() % buf.size()] = static_cast<std::uint8_t>(rng());
        break;
      case 1:  // insert a random byte
        buf.insert(buf.begin() + static_cast<long>(buf.empty() ? 0 : rng() % (buf.size() + 1)),
                   static_cast<std::uint8_t>(rng()));
        break;
      case 2:  // erase a range
        if (!buf.empty()) {
          std::size_t at = rng() % buf.size();
          std::size_t len = 1 + rng() % std::min<std::size_t>(16, buf.size() - at);
          buf.erase(buf.begin() + static_cast<long>(at), buf.begin() + static_cast<long>(at + len));
        }
        break;
      case 3:
      case 4: {  // insert a dictionary word
        const char* word = kDictionary[rng() % std::size(kDictionary)];
        std::size_t at = buf.empty() ? 0 : rng() % (buf.size() + 1);
        buf.insert(buf.begin() + static_cast<long>(at), word, word + std::strlen(word));
        break;
      }
      case 5:  // duplicate a slice (grows repetitive structures)
        if (!buf.empty() && buf.size() < 4096) {
          std::size_t at = rng() % buf.size();
          std::size_t len = 1 + rng() % std::min<std::size_t>(64, buf.size() - at);
          std::vector<std::uint8_t> slice(buf.begin() + static_cast<long>(at),
                                          buf.begin() + static_cast<long>(at + len));
          buf.insert(buf.end(), slice.begin(), slice.end());
        }
        break;
    }
  }
  if (buf.size() > 8192) buf.resize(8192);
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 10000;
  std::uint64_t seed = 20261121;
  std::vector<std::filesystem::path> corpusDirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) iterations = std::atol(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--corpus" && i + 1 < argc) corpusDirs.emplace_back(argv[++i]);
    else corpusDirs.emplace_back(a);  // libFuzzer style: positional corpus directories
  }

  std::vector<std::vector<std::uint8_t>> pool;
  for (const auto& dir : corpusDirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.is_regular_file()) pool.push_back(readFile(entry.path()));
  }
  for (const auto& input : pool) LLVMFuzzerTestOneInput(input.data(), input.size());
  if (pool.empty()) pool.push_back({});

  std::mt19937_64 rng(seed);
  for (long i = 0; i < iterations; ++i) {
    std::vector<std::uint8_t> input;
    if (rng() % 4 == 0) {
      input.resize(rng() % 512);
      for (auto& b : input) b = static_cast<std::uint8_t>(rng());
    } else {
      input = pool[rng() % pool.size()];
      mutate(input, rng);
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("fuzz: %zu corpus inputs, %ld generated inputs, no crash\n", pool.size(), iterations);
  return 0;
}
