#include "blob_id.h"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <memory>
#include <stdexcept>

namespace umq {

std::string blob_id(std::string_view data) {
  const std::string header = "blob " + std::to_string(data.size()) + '\0';
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                               &EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), header.data(), header.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1) {
    throw std::runtime_error("SHA-1 computation failed (OpenSSL EVP)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

bool is_hex_id(std::string_view text) {
  if (text.size() < 4 || text.size() > 40) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool id_matches(std::string_view abbrev, std::string_view full_id) {
  if (!is_hex_id(abbrev) || abbrev.size() > full_id.size()) return false;
  for (size_t i = 0; i < abbrev.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(abbrev[i])) != full_id[i]) return false;
  }
  return true;
}

bool is_null_id(std::string_view abbrev) {
  if (!is_hex_id(abbrev)) return false;
  for (char c : abbrev) {
    if (c != '0') return false;
  }
  return true;
}

}  // namespace umq
