// Replays every file in tests/fuzz/corpus/<target>/ and
// tests/fuzz/regressions/<target>/ through the same fuzz target code that
// libFuzzer runs (tests/fuzz/<target>.cpp, linked into unit_tests without
// libFuzzer, see the Makefile):
// crashers found by `make fuzz` stay fixed, and the invariants the targets
// check (FUZZ_CHECK) become gtest failures. Under `make test-sanitize` this
// runs with ASan+UBSan. Paths are relative to $HC_ROOT (tests/run.sh sets
// it) or the current directory.
#define HC_FUZZ_REPLAY 1

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "../fuzz/fuzz_common.hpp"

namespace hc_fuzz {
std::map<std::string, TargetFn>& registry() {
    static std::map<std::string, TargetFn> r;
    return r;
}
}  // namespace hc_fuzz

namespace {

using hc_fuzz::TargetFn;

// Filled before main() by HC_FUZZ_TARGET in each tests/fuzz/*.cpp.
const std::map<std::string, TargetFn>& targets() { return hc_fuzz::registry(); }

std::string fuzz_root() {
    const char* root = std::getenv("HC_ROOT");
    return std::string(root ? root : ".") + "/tests/fuzz";
}

// Regular files in dir, sorted; empty when dir does not exist.
std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        std::string path = dir + "/" + e->d_name;
        struct stat st {};
        if (e->d_name[0] != '.' && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back(path);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> subdirs(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        struct stat st {};
        std::string path = dir + "/" + e->d_name;
        if (e->d_name[0] != '.' && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(e->d_name);
    }
    ::closedir(d);
    return out;
}

// Runs every corpus and regression file of one target; returns the count.
size_t replay(const std::string& target) {
    TargetFn fn = targets().at(target);
    size_t n = 0;
    for (const char* kind : {"corpus", "regressions"}) {
        for (const auto& path : files_in(fuzz_root() + "/" + kind + "/" + target)) {
            SCOPED_TRACE(path);
            std::ifstream in(path, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            EXPECT_FALSE(in.bad()) << "cannot read " << path;
            fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            ++n;
        }
    }
    return n;
}

class FuzzReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzReplay, CorpusAndRegressions) {
    size_t n = replay(GetParam());
    // Every target ships seeds; zero means a wrong HC_ROOT or a lost folder.
    EXPECT_GT(n, 0u) << "no inputs for " << GetParam() << " under " << fuzz_root();
}

std::vector<std::string> target_names() {
    std::vector<std::string> out;
    for (const auto& kv : targets()) out.push_back(kv.first);
    return out;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(target_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// Every tests/fuzz/*.cpp is linked in and registered under its file name:
// a target named otherwise would be built by `make fuzz` but never replayed.
TEST(FuzzReplayLayout, EveryTargetFileIsRegistered) {
    size_t files = 0;
    for (const auto& path : files_in(fuzz_root())) {
        std::string name = path.substr(path.rfind('/') + 1);
        if (name.size() < 5 || name.compare(name.size() - 4, 4, ".cpp") != 0) continue;
        ++files;
        EXPECT_TRUE(targets().count(name.substr(0, name.size() - 4))) << "tests/fuzz/" << name << " is not registered";
    }
    EXPECT_EQ(files, targets().size());
}

// A folder named after a target that does not exist would never be replayed.
TEST(FuzzReplayLayout, EveryFolderIsATarget) {
    for (const char* kind : {"corpus", "regressions"}) {
        for (const auto& name : subdirs(fuzz_root() + "/" + kind))
            EXPECT_TRUE(targets().count(name)) << "tests/fuzz/" << kind << "/" << name << " is not a fuzz target";
    }
}

}  // namespace
