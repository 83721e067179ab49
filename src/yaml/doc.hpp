#pragma once
// A small YAML document tree on top of libyaml's event parser.
//
// One document per stream. Scalars keep their raw text plus whether they were
// plain (unquoted): type resolution (int, bool, null) is left to the caller,
// which knows what it expects. Aliases are resolved by sharing the anchored
// node (no copy); an alias may only refer to a node that is already
// complete, so cycles are impossible. Sharing keeps parsing cheap, but every
// consumer that walks the tree (merge keys!) pays for the EXPANDED size, which
// grows exponentially with nested aliases ("billion laughs": 9 levels of 10
// aliases is 10^9 nodes in 300 bytes). So each node carries its expanded
// size and the document's expanded size is capped (Limits::max_expanded),
// checked at the alias that crosses it. Limits: nesting depth, alias count,
// nodes and expanded nodes are capped (see Limits). Building is iterative
// (explicit stack), never recursive.
//
// Memory: the whole tree lives in one arena owned by the document (nodes,
// scalar text, child lists, in a few large blocks): 72 bytes a node
// plus its text, no allocation per node, freed at once. A Node and the
// views it hands out live as long as the NodePtr that parse() returned.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace hc::yaml {

struct Node;
// Owns the whole document (aliasing shared_ptr: the control block holds the
// arena), points at its root.
using NodePtr = std::shared_ptr<const Node>;

enum class Kind : uint8_t { Scalar, Sequence, Mapping };

// A read-only array in the document's arena.
template <typename T>
struct Span {
    const T* data = nullptr;
    size_t count = 0;
    const T* begin() const { return data; }
    const T* end() const { return data + count; }
    size_t size() const { return count; }
    bool empty() const { return count == 0; }
    const T& operator[](size_t i) const { return data[i]; }
};

struct Entry;

struct Node {
    Kind kind = Kind::Scalar;
    bool plain = true;      // scalars: unquoted and untagged (or tagged !!null/!!bool/...)
    bool null_tag = false;  // explicit !!null tag
    int line = 0;           // 1-based line where the node starts
    int column = 0;         // 1-based
    // Scalars: the text (in the document's arena).
    std::string_view value;
    // Nodes of this subtree with every alias counted as a full copy of its
    // target (saturating at SIZE_MAX): the work a walk of it costs.
    size_t expanded = 1;
    // Sequences
    Span<const Node*> items;
    // Mappings, in document order (duplicates are kept: the caller decides)
    Span<Entry> entries;

    bool is_scalar() const { return kind == Kind::Scalar; }
    bool is_mapping() const { return kind == Kind::Mapping; }
    bool is_sequence() const { return kind == Kind::Sequence; }
    // YAML 1.1 null as PyYAML resolves it: a plain "", "~", "null", "Null", "NULL"
    // (or an explicit !!null tag).
    bool is_null() const;
    // "a mapping", "a list" or the scalar text: for messages.
    std::string kind_name() const;
};

struct Entry {
    const Node* first;   // key
    const Node* second;  // value
};

struct Limits {
    size_t max_depth = 64;      // nested collections
    size_t max_aliases = 1000;  // alias references in the document
    // Total nodes created. 72 bytes each (plus their text and child lists)
    // in the arena, so the cap bounds a hostile file's tree to ~45 MB; a
    // real 10,000-check config with ten keys a check is 210,001 nodes.
    size_t max_nodes = 500000;
    // The whole document with every alias counted as a copy of its target:
    // what a full walk costs (a file just under the cap still loads in well
    // under a second). Real files are far below it: at most max_nodes of
    // their own plus max_aliases small anchors.
    size_t max_expanded = 500000;
};

// Parses exactly one document. An empty stream yields a null scalar.
// Errors read "<path>:<line>: YAML syntax error: <problem>" (1-based line) or
// "<path>:<line>: YAML error: <what>" for limits, undefined aliases and
// multiple documents. The expanded-size error names the line of the alias
// that crosses the limit.
Result<NodePtr> parse(const std::string& text, const std::string& path_for_messages, const Limits& limits = Limits());

// The same, streaming a top-level mapping: each entry is handed to
// `each_top` as soon as its value is complete, in document order, and the
// entry's nodes (key and value) are freed right after the call unless they
// define an anchor (a later alias may use it): the callee copies what it
// keeps. So a 10,000-check file holds one check's subtree at a time (a SIGHUP reload next to the running checks,
// issue 14.4). The returned root mapping then has no entries. Every limit
// and error is as parse()'s; an error after some calls means the caller must
// drop what those calls built. A root that is not a mapping is not streamed.
using TopEntryFn = std::function<void(const Node& key, const Node& value)>;
Result<NodePtr> parse(const std::string& text, const std::string& path_for_messages, const Limits& limits,
                      const TopEntryFn& each_top);
// The same, reading the input in pieces (a file, without holding its text):
// `read` fills up to `size` bytes of `buf` and returns how many (0 at the
// end), or -1 to stop with an error (the caller knows why; the parse then
// fails with a libyaml input error).
using ReadFn = std::function<long(char* buf, size_t size)>;
Result<NodePtr> parse(const ReadFn& read, const std::string& path_for_messages, const Limits& limits,
                      const TopEntryFn& each_top);

}  // namespace hc::yaml
