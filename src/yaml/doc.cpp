#include "yaml/doc.hpp"

#include "yaml/pool.hpp"

#include <yaml.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_map>
#include <vector>

// libyaml's own (declared in its yaml_private.h): frees with whatever
// allocator libyaml was built with (pool.hpp).
extern "C" void yaml_free(void* ptr);

namespace hc::yaml {

namespace {

const char kStrTag[] = "tag:yaml.org,2002:str";
const char kNullTag[] = "tag:yaml.org,2002:null";

// libyaml reads its input 16 KB at a time into a 16 KB buffer and decodes
// it into a 48 KB one (INPUT_RAW_BUFFER_SIZE and INPUT_BUFFER_SIZE, 3x the
// first, in its yaml_private.h). A quarter of each keeps the 3x ratio the
// decoder relies on (it writes without a bound check); the cost is 4x as
// many read()s. They are the process's, not each parse's: a SIGHUP reload
// reuses the pages the first load touched instead of faulting in new ones
// next to the running checks (issue 14.4: a reload never grows resident
// memory past the first load's peak). A parse that finds them taken (a
// parse inside a parse, another thread) keeps libyaml's own.
struct InputBuffers {
    static constexpr size_t kRaw = 4096;
    yaml_char_t raw[kRaw];
    yaml_char_t decoded[3 * kRaw];
    std::atomic<bool> taken{false};
};
InputBuffers g_input_buffers;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables): see above

class Parser {
public:
    Parser() {
        yaml_parser_initialize(&p);
        if (!p.raw_buffer.start || !p.buffer.start) return;  // initialize failed: left as is
        if (g_input_buffers.taken.exchange(true)) return;
        owns_buffers_ = true;
        yaml_free(p.raw_buffer.start);
        yaml_char_t* raw = g_input_buffers.raw;
        p.raw_buffer.start = p.raw_buffer.pointer = p.raw_buffer.last = raw;
        p.raw_buffer.end = raw + InputBuffers::kRaw;
        yaml_free(p.buffer.start);
        yaml_char_t* buf = g_input_buffers.decoded;
        p.buffer.start = p.buffer.pointer = p.buffer.last = buf;
        p.buffer.end = buf + 3 * InputBuffers::kRaw;
    }
    ~Parser() {
        if (owns_buffers_) {  // not libyaml's to free
            p.raw_buffer.start = p.raw_buffer.pointer = p.raw_buffer.last = p.raw_buffer.end = nullptr;
            p.buffer.start = p.buffer.pointer = p.buffer.last = p.buffer.end = nullptr;
            g_input_buffers.taken.store(false);
        }
        yaml_parser_delete(&p);
    }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
    yaml_parser_t p;

private:
    bool owns_buffers_ = false;
};

struct Event {
    yaml_event_t e;
    bool live = false;
    ~Event() { reset(); }
    void reset() {
        if (live) yaml_event_delete(&e);
        live = false;
    }
};

// Bump allocation in blocks: the tree is built once, read, then freed as a
// whole, so nodes need no allocation (and no free) of their own.
// Everything stored is trivially destructible. Blocks double from 8 KB to
// 256 KB: a streamed load holds one top-level entry's nodes at a time (a
// few KB, issue 14.4: no 256 KB block next to the running checks at each
// SIGHUP), a whole document sits in a few large blocks.
class Arena {
public:
    void* alloc(size_t size, size_t align) {
        size_t at = (used_ + align - 1) & ~(align - 1);
        if (blocks_.empty() || at + size > cap_) {
            const size_t want = std::max(size, blocks_.empty() ? kFirstBlock : std::min(cap_ * 2, kMaxBlock));
            if (spare_.data && spare_.cap >= want)
                blocks_.push_back(std::move(spare_));
            else
                blocks_.push_back(new_block(want));
            cap_ = blocks_.back().cap;
            at = 0;
        }
        used_ = at + size;
        return blocks_.back().data.get() + at;
    }
    // Everything allocated after mark() is given back by rollback(mark).
    struct Mark {
        size_t blocks = 0, used = 0, cap = 0;
    };
    Mark mark() const { return Mark{blocks_.size(), used_, cap_}; }
    void rollback(const Mark& m) {
        // One freed block is kept for the next entry: a subtree that
        // crosses a block end would otherwise cost a malloc and free each.
        if (blocks_.size() > m.blocks && !spare_.data) spare_ = std::move(blocks_[m.blocks]);
        blocks_.resize(m.blocks);
        used_ = m.used;
        cap_ = m.cap;
    }
    template <typename T>
    T* make() {
        return new (alloc(sizeof(T), alignof(T))) T();
    }
    std::string_view copy(const void* data, size_t size) {
        if (size == 0) return {};
        auto* p = static_cast<char*>(alloc(size, 1));
        std::memcpy(p, data, size);
        return {p, size};
    }
    // A sequence's items: the node pointers themselves are copied.
    Span<const Node*> copy_items(const Node* const* data, size_t count) {
        if (count == 0) return {};
        using Item = const Node*;
        // NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, on purpose
        auto* p = static_cast<Item*>(alloc(sizeof(Item) * count, alignof(Item)));
        std::copy(data, data + count, p);
        return {p, count};
    }

private:
    static constexpr size_t kFirstBlock = 8 * 1024, kMaxBlock = 256 * 1024;
    // From the pool: a reload's entries land in the first load's pages.
    struct PoolRelease {
        void operator()(unsigned char* p) const { pool::release(p); }
    };
    using BlockPtr = std::unique_ptr<unsigned char[], PoolRelease>;
    struct Block {
        BlockPtr data;
        size_t cap = 0;
    };
    static Block new_block(size_t size) {
        BlockPtr data(static_cast<unsigned char*>(pool::allocate(size)));
        if (!data) throw std::bad_alloc();
        return Block{std::move(data), size};
    }
    std::vector<Block> blocks_;
    Block spare_;  // a block freed by rollback()
    size_t used_ = 0, cap_ = 0;
};

struct Document {
    Arena arena;
    const Node* root = nullptr;
};

struct Frame {
    Node* node;
    size_t first_child;  // index in the builder's pending list
    std::string_view anchor;
};

std::string loc(const std::string& path, size_t line0) { return path + ":" + std::to_string(line0 + 1) + ": "; }

size_t saturating_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

const char* cstr(const yaml_char_t* s) { return reinterpret_cast<const char*>(s); }

bool is_tag(const yaml_char_t* tag, const char* name) { return tag && std::strcmp(cstr(tag), name) == 0; }

}  // namespace

bool Node::is_null() const {
    if (kind != Kind::Scalar) return false;
    if (null_tag) return true;
    if (!plain) return false;
    return value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL";
}

std::string Node::kind_name() const {
    switch (kind) {
        case Kind::Mapping: return "a mapping";
        case Kind::Sequence: return "a list";
        case Kind::Scalar: break;
    }
    return std::string(value);
}

Result<NodePtr> parse(const std::string& text, const std::string& path, const Limits& limits) {
    return parse(text, path, limits, TopEntryFn());
}

namespace {

Result<NodePtr> build(Parser& parser, const std::string& path, const Limits& limits, const TopEntryFn& each_top);

int read_handler(void* data, unsigned char* buffer, size_t size, size_t* size_read) {
    const long n = (*static_cast<const ReadFn*>(data))(reinterpret_cast<char*>(buffer), size);
    if (n < 0) return 0;
    *size_read = static_cast<size_t>(n);
    return 1;
}

}  // namespace

Result<NodePtr> parse(const std::string& text, const std::string& path, const Limits& limits,
                      const TopEntryFn& each_top) {
    Parser parser;
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return build(parser, path, limits, each_top);
}

Result<NodePtr> parse(const ReadFn& read, const std::string& path, const Limits& limits, const TopEntryFn& each_top) {
    Parser parser;
    yaml_parser_set_input(&parser.p, read_handler, const_cast<ReadFn*>(&read));
    return build(parser, path, limits, each_top);
}

namespace {

Result<NodePtr> build(Parser& parser, const std::string& path, const Limits& limits, const TopEntryFn& each_top) {
    auto doc = std::make_shared<Document>();
    Arena& arena = doc->arena;
    std::vector<Frame> stack;
    // Children of the open collections, innermost last: a collection's
    // children are copied into the arena in one piece when it ends.
    std::vector<const Node*> pending;
    std::unordered_map<std::string_view, const Node*> anchors;
    const Node* root = nullptr;
    size_t aliases = 0, nodes = 0, documents = 0;
    size_t expanded = 0;  // nodes + every alias's target counted in full
    // Streaming (each_top): the arena as it was before the current
    // top-level entry, and how many anchors had been defined by then.
    Arena::Mark entry_start;
    size_t anchors_defined = 0, anchors_at_entry = 0;

    // Attaches a finished node to the collection on top of the stack (or makes
    // it the root).
    auto attach = [&](const Node* n) {
        if (stack.empty()) {
            root = n;
            return;
        }
        Node* top = stack.back().node;
        top->expanded = saturating_add(top->expanded, n->expanded);
        pending.push_back(n);
        if (!each_top || stack.size() != 1 || top->kind != Kind::Mapping || pending.size() < 2) return;
        each_top(*pending[0], *pending[1]);
        pending.clear();
        if (anchors_defined == anchors_at_entry)
            arena.rollback(entry_start);
        else  // kept: a later alias may use the anchor
            entry_start = arena.mark();
        anchors_at_entry = anchors_defined;
    };
    auto new_node = [&](Kind kind, const yaml_event_t& e) {
        Node* n = arena.make<Node>();
        n->kind = kind;
        n->line = static_cast<int>(e.start_mark.line + 1);
        n->column = static_cast<int>(e.start_mark.column + 1);
        return n;
    };
    auto name_anchor = [&](const yaml_char_t* a) {
        return a ? arena.copy(a, std::strlen(cstr(a))) : std::string_view();
    };

    for (;;) {
        Event ev;
        if (!yaml_parser_parse(&parser.p, &ev.e)) {
            std::string problem = parser.p.problem ? parser.p.problem : "unknown error";
            size_t line = parser.p.problem_mark.line;
            if (parser.p.error == YAML_MEMORY_ERROR) problem = "out of memory";
            return err(loc(path, line) + "YAML syntax error: " + problem);
        }
        ev.live = true;
        const yaml_event_t& e = ev.e;
        const size_t line0 = e.start_mark.line;
        switch (e.type) {
            case YAML_STREAM_START_EVENT:
            case YAML_NO_EVENT: break;
            case YAML_STREAM_END_EVENT:
                if (!root) {
                    Node* n = arena.make<Node>();
                    n->line = 1;
                    n->column = 1;
                    root = n;
                }
                doc->root = root;
                return NodePtr(doc, root);
            case YAML_DOCUMENT_START_EVENT:
                if (++documents > 1)
                    return err(loc(path, line0) + "YAML error: more than one document (\"---\") in the file");
                break;
            case YAML_DOCUMENT_END_EVENT: break;
            case YAML_ALIAS_EVENT: {
                const std::string_view name = cstr(e.data.alias.anchor);
                if (++aliases > limits.max_aliases)
                    return err(loc(path, line0) + "YAML error: more than " + std::to_string(limits.max_aliases) +
                               " aliases");
                auto it = anchors.find(name);
                if (it == anchors.end())
                    return err(loc(path, line0) + "YAML error: alias *" + std::string(name) +
                               " refers to an undefined (or not yet complete) anchor");
                // Checked here, at the alias, before anything walks the
                // tree: the sizes are known, so a hostile file costs only
                // its parse.
                expanded = saturating_add(expanded, it->second->expanded);
                if (expanded > limits.max_expanded)
                    return err(loc(path, line0) + "YAML error: alias *" + std::string(name) +
                               " expands the document to more than " + std::to_string(limits.max_expanded) +
                               " nodes (aliases or merge keys nested in aliases: a \"billion "
                               "laughs\" input?)");
                attach(it->second);
                break;
            }
            case YAML_SCALAR_EVENT: {
                ++expanded;
                if (++nodes > limits.max_nodes) return err(loc(path, line0) + "YAML error: document too large");
                Node* n = new_node(Kind::Scalar, e);
                n->value = arena.copy(e.data.scalar.value, e.data.scalar.length);
                n->null_tag = is_tag(e.data.scalar.tag, kNullTag);
                n->plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !is_tag(e.data.scalar.tag, kStrTag);
                if (e.data.scalar.anchor) {
                    anchors[name_anchor(e.data.scalar.anchor)] = n;
                    ++anchors_defined;
                }
                attach(n);
                break;
            }
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT: {
                ++expanded;
                if (++nodes > limits.max_nodes) return err(loc(path, line0) + "YAML error: document too large");
                if (stack.size() >= limits.max_depth)
                    return err(loc(path, line0) + "YAML error: nesting deeper than " +
                               std::to_string(limits.max_depth) + " levels");
                const bool seq = e.type == YAML_SEQUENCE_START_EVENT;
                Node* n = new_node(seq ? Kind::Sequence : Kind::Mapping, e);
                stack.push_back(Frame{n, pending.size(),
                                      name_anchor(seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor)});
                if (stack.size() == 1) entry_start = arena.mark();  // the root: entries start here
                break;
            }
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT: {
                if (stack.empty()) return err(loc(path, line0) + "YAML error: unbalanced collection end");
                const Frame f = stack.back();
                stack.pop_back();
                const Node** first = pending.data() + f.first_child;
                const size_t count = pending.size() - f.first_child;
                if (f.node->kind == Kind::Sequence) {
                    f.node->items = arena.copy_items(first, count);
                } else {
                    // libyaml sends key, value, key, value, ... (a missing
                    // value is an empty scalar), so count is even.
                    const size_t n = count / 2;
                    Entry* pairs = n ? static_cast<Entry*>(arena.alloc(sizeof(Entry) * n, alignof(Entry))) : nullptr;
                    for (size_t i = 0; i < n; ++i) pairs[i] = Entry{first[2 * i], first[2 * i + 1]};
                    f.node->entries = Span<Entry>{pairs, n};
                }
                pending.resize(f.first_child);
                if (!f.anchor.empty()) {
                    anchors[f.anchor] = f.node;
                    ++anchors_defined;
                }
                attach(f.node);
                break;
            }
        }
    }
}

}  // namespace

}  // namespace hc::yaml
