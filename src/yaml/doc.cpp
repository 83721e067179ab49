#include "yaml/doc.hpp"

#include <yaml.h>

#include <cstdint>
#include <map>

namespace hc::yaml {

namespace {

const char kStrTag[] = "tag:yaml.org,2002:str";
const char kNullTag[] = "tag:yaml.org,2002:null";

struct Parser {
    yaml_parser_t p;
    Parser() { yaml_parser_initialize(&p); }
    ~Parser() { yaml_parser_delete(&p); }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
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

struct Frame {
    std::shared_ptr<Node> node;
    std::string anchor;
    NodePtr pending_key;  // mappings: key waiting for its value
};

std::string loc(const std::string& path, size_t line0) { return path + ":" + std::to_string(line0 + 1) + ": "; }

size_t saturating_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

std::string cstr(const yaml_char_t* s) { return s ? std::string(reinterpret_cast<const char*>(s)) : std::string(); }

}  // namespace

bool Node::is_null() const {
    if (kind != Kind::Scalar) return false;
    if (tag == kNullTag) return true;
    if (!plain) return false;
    return value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL";
}

std::string Node::kind_name() const {
    switch (kind) {
        case Kind::Mapping: return "a mapping";
        case Kind::Sequence: return "a list";
        case Kind::Scalar: break;
    }
    return value;
}

Result<NodePtr> parse(const std::string& text, const std::string& path, const Limits& limits) {
    Parser parser;
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()), text.size());

    std::vector<Frame> stack;
    std::map<std::string, NodePtr> anchors;
    NodePtr root;
    size_t aliases = 0, nodes = 0, documents = 0;
    size_t expanded = 0;  // nodes + every alias's target counted in full

    // Attaches a finished node to the collection on top of the stack (or makes
    // it the root).
    auto attach = [&](NodePtr n) {
        if (stack.empty()) {
            root = std::move(n);
            return;
        }
        Frame& top = stack.back();
        top.node->expanded = saturating_add(top.node->expanded, n->expanded);
        if (top.node->kind == Kind::Sequence) {
            top.node->items.push_back(std::move(n));
        } else if (!top.pending_key) {
            top.pending_key = std::move(n);
        } else {
            top.node->entries.emplace_back(std::move(top.pending_key), std::move(n));
            top.pending_key.reset();
        }
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
                    auto n = std::make_shared<Node>();
                    n->line = 1;
                    n->column = 1;
                    root = n;
                }
                return root;
            case YAML_DOCUMENT_START_EVENT:
                if (++documents > 1)
                    return err(loc(path, line0) + "YAML error: more than one document (\"---\") in the file");
                break;
            case YAML_DOCUMENT_END_EVENT: break;
            case YAML_ALIAS_EVENT: {
                std::string name = cstr(e.data.alias.anchor);
                if (++aliases > limits.max_aliases)
                    return err(loc(path, line0) + "YAML error: more than " + std::to_string(limits.max_aliases) +
                               " aliases");
                auto it = anchors.find(name);
                if (it == anchors.end())
                    return err(loc(path, line0) + "YAML error: alias *" + name +
                               " refers to an undefined (or not yet complete) anchor");
                // Checked here, at the alias, before anything walks the
                // tree: the sizes are known, so a hostile file costs only
                // its parse.
                expanded = saturating_add(expanded, it->second->expanded);
                if (expanded > limits.max_expanded)
                    return err(loc(path, line0) + "YAML error: alias *" + name + " expands the document to more than " +
                               std::to_string(limits.max_expanded) +
                               " nodes (aliases or merge keys nested in aliases: a \"billion "
                               "laughs\" input?)");
                attach(it->second);
                break;
            }
            case YAML_SCALAR_EVENT: {
                ++expanded;
                if (++nodes > limits.max_nodes) return err(loc(path, line0) + "YAML error: document too large");
                auto n = std::make_shared<Node>();
                n->kind = Kind::Scalar;
                n->line = static_cast<int>(line0 + 1);
                n->column = static_cast<int>(e.start_mark.column + 1);
                n->value.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
                n->tag = cstr(e.data.scalar.tag);
                n->plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && n->tag != kStrTag;
                std::string anchor = cstr(e.data.scalar.anchor);
                if (!anchor.empty()) anchors[anchor] = n;
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
                bool seq = e.type == YAML_SEQUENCE_START_EVENT;
                auto n = std::make_shared<Node>();
                n->kind = seq ? Kind::Sequence : Kind::Mapping;
                n->line = static_cast<int>(line0 + 1);
                n->column = static_cast<int>(e.start_mark.column + 1);
                n->tag = cstr(seq ? e.data.sequence_start.tag : e.data.mapping_start.tag);
                Frame f;
                f.node = n;
                f.anchor = cstr(seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor);
                stack.push_back(std::move(f));
                break;
            }
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT: {
                if (stack.empty()) return err(loc(path, line0) + "YAML error: unbalanced collection end");
                Frame f = std::move(stack.back());
                stack.pop_back();
                if (!f.anchor.empty()) anchors[f.anchor] = f.node;
                attach(f.node);
                break;
            }
        }
    }
}

}  // namespace hc::yaml
