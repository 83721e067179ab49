// mbedTLS entropy source for the static musl builds (make static-musl).
//
// Those builds use scripts/mbedtls_config_musl.h, which sets
// MBEDTLS_NO_PLATFORM_ENTROPY (no /dev/urandom in an empty root or a scratch
// image) and MBEDTLS_ENTROPY_HARDWARE_ALT, so mbedTLS calls
// mbedtls_hardware_poll() below. The whole file is compiled only when
// HC_MUSL_ENTROPY is defined (mk/musl.mk does); the glibc build links
// Debian's libmbedcrypto, which has its own entropy source.
#ifdef HC_MUSL_ENTROPY

#include <mbedtls/entropy.h>
#include <mbedtls/entropy_poll.h>
#include <sys/random.h>

#include <cerrno>
#include <cstddef>

extern "C" int mbedtls_hardware_poll(void* data, unsigned char* output, size_t len, size_t* olen) {
    (void)data;
    size_t got = 0;
    while (got < len) {
        ssize_t n = ::getrandom(output + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            *olen = got;
            return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        }
        got += static_cast<size_t>(n);
    }
    *olen = got;
    return 0;
}

#endif  // HC_MUSL_ENTROPY
