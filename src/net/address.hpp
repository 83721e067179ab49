#pragma once
// A resolved socket address (IPv4 or IPv6) with its port.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hc::net {

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;

    int family() const { return storage.ss_family; }
    const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
    // "127.0.0.1:80", "[::1]:80" or "unix:/path"
    std::string str() const;
    uint16_t port() const;
    // Same family, address and port (the bytes the length covers).
    bool operator==(const Address& o) const;
    bool operator!=(const Address& o) const { return !(*this == o); }
};

// Parses an IPv4 or IPv6 literal (no brackets); nullopt when not a literal.
std::optional<Address> parse_ip_literal(std::string_view text, uint16_t port);
Address make_v4(const uint8_t bytes[4], uint16_t port);
Address make_v6(const uint8_t bytes[16], uint16_t port);
// A unix stream socket path (supervisord's default transport); nullopt if too long.
std::optional<Address> make_unix(const std::string& path);

}  // namespace hc::net
