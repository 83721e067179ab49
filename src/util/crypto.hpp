#pragma once
// Thin wrappers over mbedTLS for base64 and HMAC-SHA256 (robot signing).
#include <string>

namespace hc {

std::string base64_encode(const std::string& data);
std::string hmac_sha256(const std::string& key, const std::string& message);

}  // namespace hc
