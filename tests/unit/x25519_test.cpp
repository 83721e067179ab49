// X25519 through mbedTLS as our build configures it: every Curve25519
// multiplication runs on Everest's HACL* code (scripts/mbedtls-patches/
// x25519-hacl.patch, MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED). The RFC 7748
// section 6.1 vectors pin the results to the standard, for the public key
// (TLS 1.3 key share, PSA export), the shared secret (legacy ECP and PSA),
// and the refusal of a low-order peer point.
#include <gtest/gtest.h>
#include <mbedtls/ecp.h>
#include <mbedtls/version.h>

#include <cstring>
#include <string>
#include <vector>

#include "hex.hpp"

#if MBEDTLS_VERSION_MAJOR >= 3
#include <psa/crypto.h>
#endif
#ifndef MBEDTLS_PRIVATE  // 2.28 (MBEDTLS=system): the fields are public
#define MBEDTLS_PRIVATE(member) member
#endif

namespace {

const char* const kAlicePriv = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const char* const kAlicePub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const char* const kBobPriv = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const char* const kBobPub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const char* const kShared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

// Blinding randomness for the generic ladder (the HACL* path needs none).
int test_rng(void*, unsigned char* out, size_t len) {
    for (size_t i = 0; i < len; ++i) out[i] = static_cast<unsigned char>(i * 7 + 1);
    return 0;
}

// X25519(k, u) with mbedtls_ecp_mul; both little-endian, as RFC 7748 writes them.
std::vector<unsigned char> ecp_x25519(const std::string& k_hex, const std::string& u_hex, int* rc) {
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, r;
    mbedtls_mpi k;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&r);
    mbedtls_mpi_init(&k);
    std::vector<unsigned char> out(32);
    auto kb = unhex(k_hex), ub = unhex(u_hex);
    kb[0] &= 248;  // RFC 7748 clamping: mbedTLS checks the private key, HACL* clamps itself
    kb[31] = static_cast<unsigned char>((kb[31] & 127) | 64);
    ub.resize(32);  // "09": the base point u = 9, little-endian, zero-padded
    ub[31] &= 127;
    *rc = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519);
    if (*rc == 0) *rc = mbedtls_mpi_read_binary_le(&k, kb.data(), kb.size());
    if (*rc == 0) *rc = mbedtls_mpi_read_binary_le(&p.MBEDTLS_PRIVATE(X), ub.data(), ub.size());
    if (*rc == 0) *rc = mbedtls_mpi_lset(&p.MBEDTLS_PRIVATE(Z), 1);
    if (*rc == 0) *rc = mbedtls_ecp_mul(&grp, &r, &k, &p, test_rng, nullptr);
    if (*rc == 0) *rc = mbedtls_mpi_write_binary_le(&r.MBEDTLS_PRIVATE(X), out.data(), out.size());
    mbedtls_mpi_free(&k);
    mbedtls_ecp_point_free(&r);
    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_group_free(&grp);
    return out;
}

}  // namespace

TEST(X25519, PublicKeysMatchRfc7748) {
    int rc = -1;
    EXPECT_EQ(ecp_x25519(kAlicePriv, "09", &rc), unhex(kAlicePub));
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(ecp_x25519(kBobPriv, "09", &rc), unhex(kBobPub));
    EXPECT_EQ(rc, 0);
}

TEST(X25519, SharedSecretMatchesRfc7748BothWays) {
    int rc = -1;
    EXPECT_EQ(ecp_x25519(kAlicePriv, kBobPub, &rc), unhex(kShared));
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(ecp_x25519(kBobPriv, kAlicePub, &rc), unhex(kShared));
    EXPECT_EQ(rc, 0);
}

TEST(X25519, LowOrderPeerPointIsRefused) {
    int rc = 0;
    ecp_x25519(kAlicePriv, "00", &rc);  // u = 0: every scalar gives the all-zero secret
    EXPECT_NE(rc, 0);
}

#if MBEDTLS_VERSION_MAJOR >= 3
// The path TLS 1.3 takes: PSA generates or imports the key, exports the
// public share, and runs the key agreement.
TEST(X25519, PsaExportAndAgreementMatchRfc7748) {
    ASSERT_EQ(psa_crypto_init(), PSA_SUCCESS);
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY));
    psa_set_key_bits(&attr, 255);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDH);
    auto priv = unhex(kAlicePriv);
    psa_key_id_t key = 0;
    ASSERT_EQ(psa_import_key(&attr, priv.data(), priv.size(), &key), PSA_SUCCESS);
    unsigned char pub[32];
    size_t len = 0;
    EXPECT_EQ(psa_export_public_key(key, pub, sizeof pub, &len), PSA_SUCCESS);
    EXPECT_EQ(std::vector<unsigned char>(pub, pub + len), unhex(kAlicePub));
    auto peer = unhex(kBobPub);
    unsigned char secret[32];
    EXPECT_EQ(psa_raw_key_agreement(PSA_ALG_ECDH, key, peer.data(), peer.size(), secret, sizeof secret, &len),
              PSA_SUCCESS);
    EXPECT_EQ(std::vector<unsigned char>(secret, secret + len), unhex(kShared));
    psa_destroy_key(key);
}
#endif
