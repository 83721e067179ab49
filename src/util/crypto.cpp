#include "util/crypto.hpp"

#include <mbedtls/base64.h>
#include <mbedtls/md.h>

namespace hc {

std::string base64_encode(const std::string& data) {
    size_t out_len = 0;
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    mbedtls_base64_encode(reinterpret_cast<unsigned char*>(&out[0]), out.size(), &out_len,
                          reinterpret_cast<const unsigned char*>(data.data()), data.size());
    out.resize(out_len);
    return out;
}

std::string hmac_sha256(const std::string& key, const std::string& message) {
    unsigned char mac[32];
    mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), reinterpret_cast<const unsigned char*>(key.data()),
                    key.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac);
    return std::string(reinterpret_cast<char*>(mac), sizeof mac);
}

}  // namespace hc
