#include "net/address.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

namespace hc::net {

// Every Address is built from a zeroed sockaddr_storage, so the bytes
// compare (sin_zero and padding included).
bool Address::operator==(const Address& o) const {
    return length == o.length && std::memcmp(&storage, &o.storage, length) == 0;
}

std::string Address::str() const {
    char buf[INET6_ADDRSTRLEN] = {0};
    if (family() == AF_UNIX) return std::string("unix:") + reinterpret_cast<const sockaddr_un*>(&storage)->sun_path;
    if (family() == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
        inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
        return std::string(buf) + ":" + std::to_string(ntohs(in->sin_port));
    }
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

uint16_t Address::port() const {
    if (family() == AF_UNIX) return 0;
    if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

Address make_v4(const uint8_t bytes[4], uint16_t port) {
    Address a;
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, bytes, 4);
    a.length = sizeof(sockaddr_in);
    return a;
}

Address make_v6(const uint8_t bytes[16], uint16_t port) {
    Address a;
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, bytes, 16);
    a.length = sizeof(sockaddr_in6);
    return a;
}

std::optional<Address> parse_ip_literal(std::string_view text, uint16_t port) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    std::string s(text);
    uint8_t buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) return make_v4(buf, port);
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return make_v6(buf, port);
    return std::nullopt;
}

}  // namespace hc::net

namespace hc::net {

std::optional<Address> make_unix(const std::string& path) {
    Address a;
    auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
    if (path.empty() || path.size() >= sizeof un->sun_path) return std::nullopt;
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, path.c_str(), path.size() + 1);
    a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    return a;
}

}  // namespace hc::net
