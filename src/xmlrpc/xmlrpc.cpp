#include "xmlrpc/xmlrpc.hpp"

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/text.hpp"

namespace hc::xmlrpc {

// ---------------------------------------------------------------- writer

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            // A literal CR would be normalised to LF by the receiving parser.
            case '\r': out += "&#13;"; break;
            default: out += c;
        }
    }
    return out;
}

static void write_value(std::string& out, const Value& v);

static void write_scalar(std::string& out, const char* tag, std::string_view text) {
    out += '<';
    out += tag;
    out += '>';
    out += text;
    out += "</";
    out += tag;
    out += '>';
}

static void write_int(std::string& out, int64_t i) {
    // <int> is 32-bit by the spec; <i8> is the common extension (Python
    // reads it) and beats silently truncating a timestamp after 2038.
    const bool fits = i >= INT32_MIN && i <= INT32_MAX;
    write_scalar(out, fits ? "int" : "i8", std::to_string(i));
}

static void write_double(std::string& out, double d) {
    // snprintf, not std::to_chars: the latter pulls ~150 KB of tables into
    // a static binary. %.17g round-trips; the process never sets a locale.
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%.17g", d);
    write_scalar(out, "double", std::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0));
}

static void write_struct(std::string& out, const std::vector<Member>& members) {
    out += "<struct>";
    for (const Member& m : members) {
        out += "<member><name>";
        out += escape(m.name);
        out += "</name>";
        write_value(out, m.value);
        out += "</member>";
    }
    out += "</struct>";
}

static void write_value(std::string& out, const Value& v) {
    out += "<value>";
    switch (v.kind) {
        case Value::Kind::Nil: out += "<nil/>"; break;
        case Value::Kind::Bool: write_scalar(out, "boolean", v.b ? "1" : "0"); break;
        case Value::Kind::Int: write_int(out, v.i); break;
        case Value::Kind::Double: write_double(out, v.d); break;
        case Value::Kind::String: write_scalar(out, "string", escape(v.s)); break;
        case Value::Kind::Array:
            out += "<array><data>";
            for (const Value& item : v.array) write_value(out, item);
            out += "</data></array>";
            break;
        case Value::Kind::Struct: write_struct(out, v.members); break;
    }
    out += "</value>";
}

std::string build_call(const std::string& method, const std::vector<Value>& params) {
    std::string out = "<?xml version=\"1.0\"?><methodCall><methodName>";
    out += escape(method);
    out += "</methodName><params>";
    for (const Value& p : params) {
        out += "<param>";
        write_value(out, p);
        out += "</param>";
    }
    out += "</params></methodCall>";
    return out;
}

std::string value_xml(const Value& value) {
    std::string out;
    write_value(out, value);
    return out;
}

// ---------------------------------------------------------------- lexer

namespace {

struct Token {
    enum Type { Open, Close, Empty, Text, End };
    Type type = End;
    std::string_view name;  // tag name, or raw (undecoded) text
    size_t offset = 0;
};

Error fail(const std::string& what, size_t offset) {
    return err("xml-rpc: " + what + " at offset " + std::to_string(offset));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool all_space(std::string_view s) {
    for (char c : s) {
        if (!is_space(c)) return false;
    }
    return true;
}

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }

bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// Shows a bit of offending text in an error without dumping the document or
// control bytes into an operator's log.
std::string snippet(std::string_view s) { return printable(s, 20); }

std::string describe(const Token& t) {
    std::string n(t.name);
    switch (t.type) {
        case Token::Open: return "<" + n + ">";
        case Token::Close: return "</" + n + ">";
        case Token::Empty: return "<" + n + "/>";
        case Token::Text: return "text '" + snippet(t.name) + "'";
        case Token::End: return "end of input";
    }
    return "?";
}

class Lexer {
public:
    explicit Lexer(std::string_view in) : in_(in) {
        if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 BOM
    }

    size_t pos() const { return pos_; }

    // Comments and processing instructions vanish here, so the parser never
    // sees them; text on both sides of a comment comes as two Text tokens.
    Result<Token> next() {
        for (;;) {
            if (pos_ >= in_.size()) return Token{Token::End, {}, pos_};
            if (in_[pos_] != '<') return text();
            const std::string_view rest = in_.substr(pos_);
            if (rest.substr(0, 4) == "<!--") {
                if (!skip_past("-->")) return fail("unterminated comment", pos_);
                continue;
            }
            if (rest.substr(0, 2) == "<?") {
                if (!skip_past("?>")) return fail("unterminated processing instruction", pos_);
                continue;
            }
            if (rest.substr(0, 9) == "<![CDATA[") return fail("CDATA is not supported", pos_);
            if (rest.substr(0, 2) == "<!") return fail("DOCTYPE/declarations are not supported", pos_);
            return tag();
        }
    }

private:
    bool skip_past(std::string_view end) {
        const size_t at = in_.find(end, pos_ + 2);
        if (at == std::string_view::npos) return false;
        pos_ = at + end.size();
        return true;
    }

    Result<Token> text() {
        const size_t start = pos_;
        const size_t lt = in_.find('<', pos_);
        pos_ = lt == std::string_view::npos ? in_.size() : lt;
        return Token{Token::Text, in_.substr(start, pos_ - start), start};
    }

    std::string_view scan_name() {
        const size_t start = pos_;
        if (pos_ < in_.size() && name_start(in_[pos_])) {
            ++pos_;
            while (pos_ < in_.size() && name_char(in_[pos_])) ++pos_;
        }
        return in_.substr(start, pos_ - start);
    }

    void skip_space() {
        while (pos_ < in_.size() && is_space(in_[pos_])) ++pos_;
    }

    // Attributes carry nothing in XML-RPC; they are skipped, quotes honoured
    // so a '>' inside a value does not end the tag.
    bool skip_attributes() {
        for (;;) {
            skip_space();
            if (pos_ >= in_.size()) return false;
            const char c = in_[pos_];
            if (c == '>' || c == '/') return true;
            if (scan_name().empty()) return false;
            skip_space();
            if (pos_ >= in_.size() || in_[pos_] != '=') return false;
            ++pos_;
            skip_space();
            if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) return false;
            const size_t close = in_.find(in_[pos_], pos_ + 1);
            if (close == std::string_view::npos) return false;
            pos_ = close + 1;
        }
    }

    Result<Token> tag() {
        const size_t start = pos_++;
        const bool closing = pos_ < in_.size() && in_[pos_] == '/';
        if (closing) ++pos_;
        const std::string_view name = scan_name();
        if (name.empty()) return fail("bad tag name", start);
        if (closing) {
            skip_space();
        } else if (!skip_attributes()) {
            return fail("malformed tag <" + std::string(name) + ">", start);
        }
        Token::Type type = closing ? Token::Close : Token::Open;
        if (!closing && in_.substr(pos_, 2) == "/>") {
            type = Token::Empty;
            ++pos_;
        }
        if (pos_ >= in_.size() || in_[pos_] != '>') return fail("unterminated tag", start);
        ++pos_;
        return Token{type, name, start};
    }

    std::string_view in_;
    size_t pos_ = 0;
};

// ---------------------------------------------------------------- text

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// &#NN; / &#xNN; body (without "&#" and ";"); false for anything XML
// would not allow as a character.
bool char_ref(std::string_view body, uint32_t& cp) {
    int base = 10;
    if (!body.empty() && body[0] == 'x') {
        base = 16;
        body.remove_prefix(1);
    }
    if (body.empty() || body.size() > 8) return false;
    auto r = std::from_chars(body.data(), body.data() + body.size(), cp, base);
    if (r.ec != std::errc() || r.ptr != body.data() + body.size()) return false;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    return true;
}

bool named_entity(std::string_view name, std::string& out) {
    if (name == "amp")
        out += '&';
    else if (name == "lt")
        out += '<';
    else if (name == "gt")
        out += '>';
    else if (name == "quot")
        out += '"';
    else if (name == "apos")
        out += '\'';
    else
        return false;
    return true;
}

// Decodes entities and normalises line ends the way an XML parser must
// (CR LF and lone CR become LF). `base` is the text's offset for errors.
Result<std::string> decode(std::string_view raw, size_t base) {
    std::string out;
    out.reserve(raw.size());
    for (size_t k = 0; k < raw.size(); ++k) {
        const char c = raw[k];
        if (c == '\r') {
            out += '\n';
            if (k + 1 < raw.size() && raw[k + 1] == '\n') ++k;
            continue;
        }
        if (c != '&') {
            out += c;
            continue;
        }
        const size_t semi = raw.find(';', k + 1);
        if (semi == std::string_view::npos || semi - k > 12) {
            return fail("bare '&' (unterminated entity)", base + k);
        }
        const std::string_view name = raw.substr(k + 1, semi - k - 1);
        uint32_t cp = 0;
        if (!name.empty() && name[0] == '#') {
            if (!char_ref(name.substr(1), cp)) {
                return fail("bad character reference &" + snippet(name) + ";", base + k);
            }
            append_utf8(out, cp);
        } else if (!named_entity(name, out)) {
            return fail("unknown entity &" + snippet(name) + ";", base + k);
        }
        k = semi;
    }
    return out;
}

// ---------------------------------------------------------------- parser

class Parser {
public:
    explicit Parser(std::string_view in) : lex_(in) {}

    Result<Response> document();

private:
    Result<Token> significant();
    Result<Token> expect(Token::Type type, std::string_view name);
    Result<std::string> text_until_close(std::string_view name);
    Result<Value> value_after_open(const Token& open, int depth);
    Result<Value> typed(const Token& t, int depth);
    Result<Value> scalar(const Token& t);
    Result<Value> array(const Token& t, int depth);
    Result<Value> structure(const Token& t, int depth);
    Result<Member> member(int depth);
    Result<Value> value_element(int depth);
    Result<Response> params();
    Result<Response> fault();

    Error unexpected(const Token& t, std::string_view wanted = {}) {
        std::string what = "unexpected " + describe(t);
        if (!wanted.empty()) what = "expected " + std::string(wanted) + " but found " + describe(t);
        return fail(what, t.offset);
    }

    Lexer lex_;
    size_t values_ = 0;
};

// Next token that is not whitespace; text where an element belongs is an
// error.
Result<Token> Parser::significant() {
    for (;;) {
        Result<Token> t = lex_.next();
        if (!t) return t;
        if (t->type != Token::Text) return t;
        if (!all_space(t->name)) return unexpected(*t);
    }
}

Result<Token> Parser::expect(Token::Type type, std::string_view name) {
    Result<Token> t = significant();
    if (!t) return t;
    if (t->type != type || t->name != name) {
        const std::string want = type == Token::Close ? "</" + std::string(name) + ">" : "<" + std::string(name) + ">";
        return unexpected(*t, want);
    }
    return t;
}

// Text content of an element whose start tag was just read, up to its end
// tag; comments inside are dropped.
Result<std::string> Parser::text_until_close(std::string_view name) {
    std::string raw;
    size_t base = lex_.pos();
    for (;;) {
        Result<Token> t = lex_.next();
        if (!t) return err(t.error());
        if (t->type == Token::Text) {
            if (raw.empty()) base = t->offset;
            raw.append(t->name.data(), t->name.size());
            continue;
        }
        if (t->type == Token::Close && t->name == name) return decode(raw, base);
        return unexpected(*t, "</" + std::string(name) + ">");
    }
}

Result<Value> Parser::scalar(const Token& t) {
    const std::string_view tag = t.name;
    if (t.type == Token::Empty) {
        if (tag == "nil") return Value::nil();
        if (tag == "string") return Value::string("");
        return fail("empty <" + std::string(tag) + "/>", t.offset);
    }
    Result<std::string> text = text_until_close(tag);
    if (!text) return err(text.error());
    const std::string_view s = trim_view(*text);
    if (tag == "string" || tag == "dateTime.iso8601") return Value::string(std::move(*text));
    if (tag == "nil") {
        if (!s.empty()) return fail("text inside <nil>", t.offset);
        return Value::nil();
    }
    if (tag == "boolean") {
        if (s == "0" || s == "1") return Value::boolean(s == "1");
        return fail("bad <boolean> '" + snippet(s) + "'", t.offset);
    }
    if (tag == "int" || tag == "i4" || tag == "i8") {
        std::string_view digits = s;
        if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
        int64_t v = 0;
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
            return fail("bad <" + std::string(tag) + "> '" + snippet(s) + "'", t.offset);
        }
        return Value::integer(v);
    }
    // Only "double" is left (typed() checked the tag).
    std::string_view num = s;
    if (!num.empty() && num[0] == '+') num.remove_prefix(1);
    // strtod on a checked copy (std::from_chars(double) costs ~150 KB
    // statically); only plain decimal notation is accepted.
    bool plain = !num.empty() && num.size() < 64 && num.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
    std::string copy(plain ? num : std::string_view());
    char* end = nullptr;
    errno = 0;
    double d = plain ? std::strtod(copy.c_str(), &end) : 0;
    if (!plain || end != copy.c_str() + copy.size() || errno == ERANGE) {
        return fail("bad <double> '" + snippet(s) + "'", t.offset);
    }
    return Value::real(d);
}

Result<Value> Parser::array(const Token& t, int depth) {
    if (t.type == Token::Empty) return Value::list({});
    std::vector<Value> items;
    Result<Token> data = significant();
    if (!data) return err(data.error());
    if (data->type == Token::Empty && data->name == "data") {
        if (auto c = expect(Token::Close, "array"); !c) return err(c.error());
        return Value::list({});
    }
    if (data->type != Token::Open || data->name != "data") return unexpected(*data, "<data>");
    for (;;) {
        Result<Token> n = significant();
        if (!n) return err(n.error());
        if (n->type == Token::Close && n->name == "data") break;
        if (n->name != "value" || n->type == Token::Close) return unexpected(*n, "<value>");
        Result<Value> v = value_after_open(*n, depth + 1);
        if (!v) return v;
        items.push_back(std::move(*v));
    }
    if (auto c = expect(Token::Close, "array"); !c) return err(c.error());
    return Value::list(std::move(items));
}

Result<Member> Parser::member(int depth) {
    if (auto o = expect(Token::Open, "name"); !o) return err(o.error());
    Result<std::string> name = text_until_close("name");
    if (!name) return err(name.error());
    Result<Value> v = value_element(depth + 1);
    if (!v) return err(v.error());
    if (auto c = expect(Token::Close, "member"); !c) return err(c.error());
    return Member{std::move(*name), std::move(*v)};
}

Result<Value> Parser::structure(const Token& t, int depth) {
    std::vector<Member> members;
    if (t.type == Token::Empty) return Value::structure({});
    for (;;) {
        Result<Token> n = significant();
        if (!n) return err(n.error());
        if (n->type == Token::Close && n->name == "struct") break;
        if (n->type != Token::Open || n->name != "member") return unexpected(*n, "<member>");
        Result<Member> m = member(depth);
        if (!m) return err(m.error());
        members.push_back(std::move(*m));
    }
    return Value::structure(std::move(members));
}

Result<Value> Parser::typed(const Token& t, int depth) {
    const std::string_view n = t.name;
    if (n == "array") return array(t, depth);
    if (n == "struct") return structure(t, depth);
    if (n == "string" || n == "int" || n == "i4" || n == "i8" || n == "boolean" || n == "double" || n == "nil" ||
        n == "dateTime.iso8601") {
        return scalar(t);
    }
    if (n == "base64") return fail("<base64> is not supported", t.offset);
    return fail("unknown type <" + std::string(n) + ">", t.offset);
}

// Body of a <value> whose start tag (or <value/>) is `open`. Bare text is a
// string; otherwise exactly one typed element, whitespace around it.
Result<Value> Parser::value_after_open(const Token& open, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth), open.offset);
    if (++values_ > kMaxValues) {
        return fail("more than " + std::to_string(kMaxValues) + " values", open.offset);
    }
    if (open.type == Token::Empty) return Value::string("");
    std::string raw;
    size_t base = lex_.pos();
    for (;;) {
        Result<Token> t = lex_.next();
        if (!t) return err(t.error());
        if (t->type == Token::Text) {
            if (raw.empty()) base = t->offset;
            raw.append(t->name.data(), t->name.size());
            continue;
        }
        if (t->type == Token::Close && t->name == "value") {
            Result<std::string> s = decode(raw, base);
            if (!s) return err(s.error());
            return Value::string(std::move(*s));
        }
        if (t->type == Token::Close) return unexpected(*t, "</value>");
        if (t->type == Token::End) return unexpected(*t);
        if (!all_space(raw)) return fail("text mixed with <" + std::string(t->name) + ">", base);
        Result<Value> v = typed(*t, depth);
        if (!v) return v;
        if (auto c = expect(Token::Close, "value"); !c) return err(c.error());
        return v;
    }
}

Result<Value> Parser::value_element(int depth) {
    Result<Token> t = significant();
    if (!t) return err(t.error());
    if (t->name != "value" || t->type == Token::Close) return unexpected(*t, "<value>");
    return value_after_open(*t, depth);
}

Result<Response> Parser::params() {
    if (auto p = expect(Token::Open, "param"); !p) return err(p.error());
    Result<Value> v = value_element(1);
    if (!v) return err(v.error());
    if (auto p = expect(Token::Close, "param"); !p) return err(p.error());
    if (auto p = expect(Token::Close, "params"); !p) return err(p.error());
    Response r;
    r.value = std::move(*v);
    return r;
}

Result<Response> Parser::fault() {
    Result<Token> at = significant();
    if (!at) return err(at.error());
    if (at->name != "value" || at->type == Token::Close) return unexpected(*at, "<value>");
    Result<Value> v = value_after_open(*at, 1);
    if (!v) return err(v.error());
    if (auto f = expect(Token::Close, "fault"); !f) return err(f.error());
    const Value* code = v->get("faultCode");
    const Value* text = v->get("faultString");
    if (!code || !code->as_int() || *code->as_int() < INT_MIN || *code->as_int() > INT_MAX) {
        return fail("fault without an int faultCode", at->offset);
    }
    Response r;
    r.is_fault = true;
    r.fault.code = static_cast<int>(*code->as_int());
    if (text && text->as_string()) r.fault.message = *text->as_string();
    return r;
}

Result<Response> Parser::document() {
    if (auto m = expect(Token::Open, "methodResponse"); !m) return err(m.error());
    Result<Token> kind = significant();
    if (!kind) return err(kind.error());
    Result<Response> r = err("");
    if (kind->type == Token::Open && kind->name == "params") {
        r = params();
    } else if (kind->type == Token::Open && kind->name == "fault") {
        r = fault();
    } else {
        return unexpected(*kind, "<params> or <fault>");
    }
    if (!r) return r;
    if (auto m = expect(Token::Close, "methodResponse"); !m) return err(m.error());
    Result<Token> end = significant();
    if (!end) return err(end.error());
    if (end->type != Token::End) return unexpected(*end, "end of input");
    return r;
}

}  // namespace

Result<Response> parse_response(std::string_view xml) {
    if (xml.size() > kMaxResponseBytes) {
        return err("xml-rpc: response larger than " + std::to_string(kMaxResponseBytes) + " bytes");
    }
    return Parser(xml).document();
}

}  // namespace hc::xmlrpc
