// ECDSA verification and scalar multiplication on the NIST curves through
// mbedTLS as our build configures it. Every TLS 1.3 handshake verifies the
// server's CertificateVerify this way, and scripts/mbedtls-patches/
// ecp-fermat-inverse.patch replaces the coordinate and s^-1 inversions of
// that path (Fermat's little theorem up to 384 bits, the GCD for P-521).
// The vectors were made with OpenSSL (key, SHA-2 digest, DER signature), so
// a wrong inversion shows as a refused valid signature or a wrong public key.
#include <gtest/gtest.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

#include <string>
#include <vector>

#include "hex.hpp"

#ifndef MBEDTLS_PRIVATE  // 2.28 (MBEDTLS=system): the fields are public
#define MBEDTLS_PRIVATE(member) member
#endif

namespace {

struct Vector {
    mbedtls_ecp_group_id curve;
    const char* priv;
    const char* pub;   // uncompressed point
    const char* hash;  // SHA-256 / -384 / -512 of the message
    const char* sig;   // DER
};

// openssl ecparam -genkey; openssl dgst -sha256|-sha384|-sha512 -sign
const Vector kVectors[] = {
    {MBEDTLS_ECP_DP_SECP256R1, "d3d7c7584c5bc56c1813593af4f7dc671230fc9ab760dde32e81f7d4f68663d5",
     "04cff370d546bb5783575ffa016ecdeb80e8c5c94c52d42c54fbb0593454879948af47eeec1eb35adc6139dc1e3a98d3e1"
     "43a69d7b3fcb7bbbe172306e07ef7c36",
     "b083ea5adf2b23add33e63c9cb6ac9e36827877304fa8c3db1ad47f70a29571d",
     "304502207c228f2cf05f7a35b4c4a409775df778ea554edf25a7619e544727999a0e43db022100b62a0ea87105e0055130"
     "36f6b21ce235833f1899238140ea585d56acb82bea4f"},
    {MBEDTLS_ECP_DP_SECP384R1,
     "124d312bd09d1bf61c5678c5020eb2db3d955012799c1f87955fb298a01dd289d8f34c38eb2a92662a0a2860460a9e9b",
     "04c375fc9e30152580bde0aa6e9c235ae85280db629f2679d60070931c9824a474b2334ebd5ef00f0a09bbf6594da3808d"
     "86152f21abe7a1166708e7b9319572e102c09d840681476e1b29baf591115a7d09b70c346b2f11ca535daa0bfcaba07a",
     "323cfcfe1cb4ccf2ad57bc0a77746019c374959de821d333ebb1cc8155aa661b06bcdb1637a61f8d7d8a7b031ebe1fa2",
     "3066023100aefcc344aee2b366d5636a1790123db57a10068bc1aa228511294d6c20740277844a003882d031888d9029b9"
     "5da4793c023100880722143dbfd483fbb83a3ceaeb6087b4dd5d15db552fb05009c77b6d398823bc33aa833c9670434fa7"
     "15579cc8ebd8"},
    {MBEDTLS_ECP_DP_SECP521R1,
     "011a8fd59399bbeb2fc2b2946625ec6d293afa0f92132fce2eeccde8f34bf2c21463f809a746a390007319fa9a72a928e3"
     "f2b5d4ab4a78844cc583502087d8c1b9d3",
     "0401637d205c9998e56d67d20f6d9d41e204cd4c13ee280f479a3593ddd231952fccf68bd3c44f3ee1516f0e9caf940e1d"
     "01597758856a9d339aa2ed729f038076a68201f75ab68bcfde3eea1c5d26130fa9fbbc9311d4a88646eadc83a2a442521a"
     "b9c768a3b487c2872800c04c2270cbfaf42d32f2b1fe5f59b9abdc264cfe7e08611ff9",
     "2286b4b75c47ae4b9094dc9697e690ea0beddebc36a76ea8c4ba5f02f016a55cdf47bb136e1facb09d98e4a69fdeb3b1f6"
     "6b9cd6bd6cb3d5d7b9a7a36adf2cbb",
     "308188024201669e118071aee06f6073cec3e2490bf3905e66e7312841eab17c0cbb40093b3f1623ffea6f248a054c80b7"
     "7fc06694ffa5248f4077c37820c997863d07ab458e7b0242017f5f11b2b4d9ae04dd354324897db887a5c7c86a1b751dd8"
     "5b2167c7e17609f82d45023c8a641e0df808f388ef1191f94443fdb6c256e765783bd07b7951845c83"},
};

// Blinding randomness for the scalar multiplication (not secret here).
int test_rng(void*, unsigned char* out, size_t len) {
    for (size_t i = 0; i < len; ++i) out[i] = static_cast<unsigned char>(i * 13 + 5);
    return 0;
}

// The vector's public key in an ECDSA context; the group is loaded.
class Ecdsa {
public:
    explicit Ecdsa(const Vector& v) {
        mbedtls_ecdsa_init(&ctx_);
        ok_ = mbedtls_ecp_group_load(&grp(), v.curve) == 0;
        const auto pub = unhex(v.pub);
        ok_ = ok_ && mbedtls_ecp_point_read_binary(&grp(), &ctx_.MBEDTLS_PRIVATE(Q), pub.data(), pub.size()) == 0;
    }
    ~Ecdsa() { mbedtls_ecdsa_free(&ctx_); }
    Ecdsa(const Ecdsa&) = delete;
    Ecdsa& operator=(const Ecdsa&) = delete;

    bool ok() const { return ok_; }
    mbedtls_ecp_group& grp() { return ctx_.MBEDTLS_PRIVATE(grp); }
    int verify(const std::vector<unsigned char>& hash, const std::vector<unsigned char>& sig) {
        return mbedtls_ecdsa_read_signature(&ctx_, hash.data(), hash.size(), sig.data(), sig.size());
    }

private:
    mbedtls_ecdsa_context ctx_;
    bool ok_ = false;
};

}  // namespace

TEST(Ecdsa, ValidSignaturesVerifyOnEveryNistCurve) {
    for (const auto& v : kVectors) {
        Ecdsa e(v);
        ASSERT_TRUE(e.ok()) << v.curve;
        EXPECT_EQ(e.verify(unhex(v.hash), unhex(v.sig)), 0) << v.curve;
    }
}

TEST(Ecdsa, AnotherDigestOrATamperedSignatureIsRefused) {
    for (const auto& v : kVectors) {
        Ecdsa e(v);
        ASSERT_TRUE(e.ok()) << v.curve;
        auto hash = unhex(v.hash);
        hash[5] ^= 1;
        EXPECT_EQ(e.verify(hash, unhex(v.sig)), MBEDTLS_ERR_ECP_VERIFY_FAILED) << v.curve;
        auto sig = unhex(v.sig);
        sig[sig.size() - 3] ^= 0x10;  // inside s
        EXPECT_EQ(e.verify(unhex(v.hash), sig), MBEDTLS_ERR_ECP_VERIFY_FAILED) << v.curve;
    }
}

// d * G, normalised to affine coordinates (one inversion per step of the
// comb and one at the end), must be the vector's public key.
TEST(Ecdsa, PublicKeyFromPrivateMatches) {
    for (const auto& v : kVectors) {
        Ecdsa e(v);
        ASSERT_TRUE(e.ok()) << v.curve;
        mbedtls_mpi d;
        mbedtls_ecp_point r;
        mbedtls_mpi_init(&d);
        mbedtls_ecp_point_init(&r);
        const auto priv = unhex(v.priv);
        ASSERT_EQ(mbedtls_mpi_read_binary(&d, priv.data(), priv.size()), 0);
        ASSERT_EQ(mbedtls_ecp_mul(&e.grp(), &r, &d, &e.grp().G, test_rng, nullptr), 0) << v.curve;
        unsigned char out[1 + 2 * 66];
        size_t len = 0;
        ASSERT_EQ(mbedtls_ecp_point_write_binary(&e.grp(), &r, MBEDTLS_ECP_PF_UNCOMPRESSED, &len, out, sizeof(out)), 0);
        EXPECT_EQ(std::vector<unsigned char>(out, out + len), unhex(v.pub)) << v.curve;
        mbedtls_ecp_point_free(&r);
        mbedtls_mpi_free(&d);
    }
}
