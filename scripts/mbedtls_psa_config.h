/*
 * PSA crypto mechanisms for the mbedTLS 3.6 builds (installed as
 * psa/crypto_config.h next to scripts/mbedtls_config.h, which sets
 * MBEDTLS_PSA_CRYPTO_CONFIG). Only what the TLS 1.3 client runs on PSA:
 * ephemeral ECDH key shares, the HKDF key schedule, HMAC for Finished,
 * SHA-256/384 transcripts and AES-GCM records. Certificates and TLS 1.2
 * use the legacy modules (no MBEDTLS_USE_PSA_CRYPTO), so no PSA RSA, ECDSA
 * or TLS 1.2 PRF is built. Without this file PSA would get every mechanism
 * the legacy config has: about 5 KB more in the x86_64 musl binary.
 */
#ifndef HC_MBEDTLS_PSA_CONFIG_H
#define HC_MBEDTLS_PSA_CONFIG_H

#define PSA_WANT_ALG_ECDH                       1
#define PSA_WANT_ALG_GCM                        1
#define PSA_WANT_ALG_HKDF                       1
#define PSA_WANT_ALG_HKDF_EXTRACT               1
#define PSA_WANT_ALG_HKDF_EXPAND                1
#define PSA_WANT_ALG_HMAC                       1
#define PSA_WANT_ALG_SHA_256                    1
#define PSA_WANT_ALG_SHA_384                    1

#define PSA_WANT_ECC_MONTGOMERY_255             1
#define PSA_WANT_ECC_SECP_R1_256                1
#define PSA_WANT_ECC_SECP_R1_384                1
#define PSA_WANT_ECC_SECP_R1_521                1

#define PSA_WANT_KEY_TYPE_AES                   1
#define PSA_WANT_KEY_TYPE_DERIVE                1
#define PSA_WANT_KEY_TYPE_HMAC                  1
#define PSA_WANT_KEY_TYPE_RAW_DATA              1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY        1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_BASIC    1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_IMPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_EXPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_GENERATE 1

#endif /* HC_MBEDTLS_PSA_CONFIG_H */
