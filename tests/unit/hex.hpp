// Test helper: bytes from a hex string ("0a1b" -> {0x0a, 0x1b}), for the
// crypto tests' published vectors.
#pragma once

#include <string>
#include <vector>

inline std::vector<unsigned char> unhex(const std::string& h) {
    std::vector<unsigned char> out;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<unsigned char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}
