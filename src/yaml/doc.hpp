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

}  // namespace hc::yaml
