// mbedTLS entropy source for the builds that compile mbedTLS with our
// config (scripts/mbedtls_config.h: the default glibc build and the musl
// builds).
//
// That config sets MBEDTLS_NO_PLATFORM_ENTROPY (no /dev/urandom in an empty
// root or a scratch image) and MBEDTLS_ENTROPY_HARDWARE_ALT, so mbedTLS (the
// legacy RNG and PSA alike) calls mbedtls_hardware_poll() below. Against a
// system mbedTLS (MBEDTLS=system: Alpine's, Debian's 2.28) the option is off
// and this file compiles to nothing: those libraries have their own source.
#include <mbedtls/entropy.h>

#ifdef MBEDTLS_ENTROPY_HARDWARE_ALT

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

#endif  // MBEDTLS_ENTROPY_HARDWARE_ALT
