#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../support/xmlrpc_responses.hpp"
#include "xmlrpc/supervisor.hpp"
#include "xmlrpc/xmlrpc.hpp"

using namespace hc::xmlrpc;
using hc::xmlrpc::test_server::build_fault;
using hc::xmlrpc::test_server::build_response;

namespace {

// Fixtures are real supervisord 4.2.5 responses captured with curl over its
// unix socket. Tests run from the repository root (tests/run.sh) or with
// HC_ROOT set.
std::string fixture(const std::string& name) {
    const char* root = std::getenv("HC_ROOT");
    const std::string path = std::string(root ? root : ".") + "/tests/data/xmlrpc/" + name;
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_FALSE(ss.str().empty()) << "missing fixture " << path;
    return ss.str();
}

Value parse_value(const std::string& xml) {
    auto r = parse_response(xml);
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r) return Value{};
    EXPECT_FALSE(r->is_fault);
    return r->value;
}

std::string wrap(const std::string& value_xml) {
    return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n" + value_xml +
           "\n</param>\n</params>\n</methodResponse>\n";
}

std::string parse_error(const std::string& xml) {
    auto r = parse_response(xml);
    EXPECT_FALSE(r.ok()) << "parsed: " << xml;
    return r.ok() ? "" : r.error();
}

}  // namespace

TEST(XmlRpcWriter, BuildCallShape) {
    EXPECT_EQ(get_process_info_call("web"),
              "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.getProcessInfo"
              "</methodName><params><param><value><string>web</string></value></param>"
              "</params></methodCall>");
    EXPECT_EQ(start_process_call("g:w", false),
              "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.startProcess"
              "</methodName><params><param><value><string>g:w</string></value></param>"
              "<param><value><boolean>0</boolean></value></param></params></methodCall>");
    EXPECT_NE(stop_process_call("x", true).find("supervisor.stopProcess"), std::string::npos);
    EXPECT_NE(stop_process_call("x", true).find("<boolean>1</boolean>"), std::string::npos);
    EXPECT_NE(signal_process_call("x", "KILL").find("<string>KILL</string>"), std::string::npos);
    EXPECT_NE(get_all_process_info_call().find("<params></params>"), std::string::npos);
}

TEST(XmlRpcWriter, EscapesText) {
    EXPECT_EQ(escape("a&b<c>d\"e'f\rg"), "a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;g");
    const std::string call = build_call("m<", {Value::string("<&>")});
    EXPECT_NE(call.find("<methodName>m&lt;</methodName>"), std::string::npos);
    EXPECT_NE(call.find("<string>&lt;&amp;&gt;</string>"), std::string::npos);
}

TEST(XmlRpcWriter, RoundTripsEveryKind) {
    const Value v = Value::structure({
        {"nil", Value::nil()},
        {"t", Value::boolean(true)},
        {"f", Value::boolean(false)},
        {"i", Value::integer(-42)},
        {"big", Value::integer(int64_t(1) << 40)},
        {"d", Value::real(0.1)},
        {"s", Value::string("a & <b> \"c\" 'd' \r\n\xE4\xB8\xAD")},
        {"empty", Value::string("")},
        {"arr", Value::list({Value::integer(1), Value::string("x"), Value::list({})})},
        {"st", Value::structure({})},
    });
    EXPECT_EQ(parse_value(build_response(v)), v);
    EXPECT_NE(build_response(v).find("<i8>1099511627776</i8>"), std::string::npos);
}

TEST(XmlRpcWriter, FaultRoundTrip) {
    auto r = parse_response(build_fault(70, "NOT_RUNNING: x&y"));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE(r->is_fault);
    EXPECT_EQ(r->fault.code, 70);
    EXPECT_EQ(r->fault.message, "NOT_RUNNING: x&y");
}

TEST(XmlRpcParser, RealGetProcessInfo) {
    const Value v = parse_value(fixture("get_process_info.xml"));
    auto p = to_process_info(v);
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->name, "sleeper");
    EXPECT_EQ(p->group, "sleeper");
    EXPECT_EQ(p->full_name(), "sleeper");
    EXPECT_EQ(p->state, states::RUNNING);
    EXPECT_EQ(p->statename, "RUNNING");
    EXPECT_EQ(p->pid, 5150);
    EXPECT_EQ(p->start, 1795657284);
    EXPECT_EQ(p->stop, 0);
    EXPECT_EQ(p->now, 1795657290);
    EXPECT_EQ(p->exitstatus, 0);
    EXPECT_EQ(p->spawnerr, "");
    EXPECT_EQ(p->description, "pid 5150, uptime 0:00:06");
    ASSERT_NE(v.get("stderr_logfile"), nullptr);
    EXPECT_EQ(v.members.size(), 14u);
}

TEST(XmlRpcParser, RealStoppedProcess) {
    auto p = to_process_info(parse_value(fixture("get_process_info_stopped.xml")));
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->state, states::STOPPED);
    EXPECT_EQ(p->pid, 0);
    EXPECT_EQ(p->exitstatus, -1);  // killed by SIGTERM: supervisor says -1
    EXPECT_EQ(p->stop, 1795657290);
}

TEST(XmlRpcParser, RealEntityInName) {
    auto p = to_process_info(parse_value(fixture("get_process_info_entity.xml")));
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->name, "we&ird");
}

TEST(XmlRpcParser, RealGetAllProcessInfo) {
    auto all = to_process_infos(parse_value(fixture("get_all_process_info.xml")));
    ASSERT_TRUE(all.ok()) << all.error();
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].name, "sleeper");
    EXPECT_EQ((*all)[1].name, "we&ird");
    EXPECT_EQ((*all)[1].pid, 5151);
}

TEST(XmlRpcParser, RealFaults) {
    struct Case {
        const char* file;
        int code;
        const char* message;
    } cases[] = {
        {"fault_bad_name.xml", faults::BAD_NAME, "BAD_NAME: nosuch"},
        {"fault_already_started.xml", faults::ALREADY_STARTED, "ALREADY_STARTED: sleeper"},
        {"fault_not_running.xml", faults::NOT_RUNNING, "NOT_RUNNING: sleeper"},
        {"fault_unknown_method.xml", faults::UNKNOWN_METHOD, "UNKNOWN_METHOD"},
    };
    for (const Case& c : cases) {
        auto r = parse_response(fixture(c.file));
        ASSERT_TRUE(r.ok()) << c.file << ": " << r.error();
        EXPECT_TRUE(r->is_fault) << c.file;
        EXPECT_EQ(r->fault.code, c.code) << c.file;
        EXPECT_EQ(r->fault.message, c.message) << c.file;
    }
    EXPECT_STREQ(fault_name(10), "BAD_NAME");
    EXPECT_STREQ(fault_name(60), "ALREADY_STARTED");
    EXPECT_STREQ(fault_name(92), "CANT_REREAD");
    EXPECT_STREQ(fault_name(6), "SHUTDOWN_STATE");
    EXPECT_STREQ(fault_name(12345), "UNKNOWN_FAULT");
    EXPECT_STREQ(state_name(200), "FATAL");
    EXPECT_STREQ(state_name(7), "UNKNOWN");
}

TEST(XmlRpcParser, RealBooleanResult) { EXPECT_EQ(parse_value(fixture("signal_process.xml")), Value::boolean(true)); }

TEST(XmlRpcParser, ScalarForms) {
    EXPECT_EQ(parse_value(wrap("<value>bare text</value>")), Value::string("bare text"));
    EXPECT_EQ(parse_value(wrap("<value>  spaced  </value>")), Value::string("  spaced  "));
    EXPECT_EQ(parse_value(wrap("<value></value>")), Value::string(""));
    EXPECT_EQ(parse_value(wrap("<value/>")), Value::string(""));
    EXPECT_EQ(parse_value(wrap("<value><string/></value>")), Value::string(""));
    EXPECT_EQ(parse_value(wrap("<value>\n <int> 7 </int>\n</value>")), Value::integer(7));
    EXPECT_EQ(parse_value(wrap("<value><i4>-2147483648</i4></value>")), Value::integer(INT32_MIN));
    EXPECT_EQ(parse_value(wrap("<value><i8>+9000000000</i8></value>")), Value::integer(9000000000));
    EXPECT_EQ(parse_value(wrap("<value><boolean>0</boolean></value>")), Value::boolean(false));
    EXPECT_EQ(parse_value(wrap("<value><double>-1.5e3</double></value>")), Value::real(-1500));
    EXPECT_EQ(parse_value(wrap("<value><nil/></value>")), Value::nil());
    EXPECT_EQ(parse_value(wrap("<value><nil></nil></value>")), Value::nil());
    EXPECT_EQ(parse_value(wrap("<value><dateTime.iso8601>20260101T00:00:00</dateTime.iso8601></value>")),
              Value::string("20260101T00:00:00"));
    EXPECT_EQ(parse_value(wrap("<value><array><data/></array></value>")), Value::list({}));
    EXPECT_EQ(parse_value(wrap("<value><struct/></value>")), Value::structure({}));
}

TEST(XmlRpcParser, Entities) {
    EXPECT_EQ(parse_value(wrap("<value>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x4e2d;&#128512;</value>")),
              Value::string("&<>\"'AB\xE4\xB8\xAD\xF0\x9F\x98\x80"));
    EXPECT_EQ(parse_value(wrap("<value>a\r\nb\rc</value>")), Value::string("a\nb\nc"));
    EXPECT_NE(parse_error(wrap("<value>&bogus;</value>")).find("unknown entity &bogus;"), std::string::npos);
    EXPECT_NE(parse_error(wrap("<value>a & b</value>")).find("bare '&'"), std::string::npos);
    EXPECT_NE(parse_error(wrap("<value>&#0;</value>")).find("bad character reference"), std::string::npos);
    parse_error(wrap("<value>&#xD800;</value>"));
    parse_error(wrap("<value>&#x110000;</value>"));
    parse_error(wrap("<value>&#;</value>"));
    parse_error(wrap("<value>&#x;</value>"));
    parse_error(wrap("<value>&#12a;</value>"));
}

TEST(XmlRpcParser, CommentsAndProcessingInstructions) {
    const std::string xml =
        "<?xml version='1.0'?><!-- hi --><methodResponse><params><?pi x?><param>"
        "<value>ab<!-- c -->cd</value></param></params></methodResponse><!-- bye -->\n";
    EXPECT_EQ(parse_value(xml), Value::string("abcd"));
}

TEST(XmlRpcParser, AttributesIgnored) {
    EXPECT_EQ(parse_value("<methodResponse a=\"x>y\" b='1'><params><param><value>v</value>"
                          "</param></params></methodResponse>"),
              Value::string("v"));
}

TEST(XmlRpcParser, MalformedInputs) {
    EXPECT_EQ(parse_error(""), "xml-rpc: expected <methodResponse> but found end of input at offset 0");
    EXPECT_EQ(parse_error("<methodResponse><params><param><value><int>1</int></foo>"),
              "xml-rpc: expected </value> but found </foo> at offset 50");
    EXPECT_NE(parse_error(wrap("<value><int>abc</int></value>")).find("bad <int> 'abc'"), std::string::npos);
    parse_error(wrap("<value><int></int></value>"));
    parse_error(wrap("<value><int>99999999999999999999</int></value>"));
    parse_error(wrap("<value><int>1.5</int></value>"));
    parse_error(wrap("<value><boolean>2</boolean></value>"));
    parse_error(wrap("<value><boolean>true</boolean></value>"));
    parse_error(wrap("<value><double>1.2.3</double></value>"));
    parse_error(wrap("<value><double></double></value>"));
    parse_error(wrap("<value><int/></value>"));
    EXPECT_NE(parse_error(wrap("<value><foo>1</foo></value>")).find("unknown type <foo>"), std::string::npos);
    parse_error(wrap("<value><base64>AA==</base64></value>"));
    EXPECT_NE(parse_error(wrap("<value>x<int>1</int></value>")).find("text mixed"), std::string::npos);
    parse_error(wrap("<value><int>1</int>x</value>"));
    parse_error(wrap("<value><int>1</int><int>2</int></value>"));
    EXPECT_NE(parse_error(wrap("<value><![CDATA[x]]></value>")).find("CDATA"), std::string::npos);
    parse_error("<!DOCTYPE x [<!ENTITY a 'b'>]><methodResponse/>");
    parse_error("<methodResponse><params></params></methodResponse>");
    parse_error(wrap("<value>1</value></param><param><value>2</value>"));
    parse_error("<methodResponse><params><param><value>1</value></param></params></methodResponse>junk");
    parse_error("<methodResponse><params><param><value>1</value></param></params></methodResponse><x/>");
    parse_error("<methodResponse><params><param><value>1</value></param></params>");
    parse_error("<methodResponse><params><param><value>1</value></param></params></methodResponse");
    parse_error("<methodResponse><params><param><value>1</value></param></params></methodResponse");
    parse_error("<methodResponse><!-- never closed");
    parse_error("<methodResponse><?pi never closed");
    parse_error("<methodResponse><1bad>");
    parse_error("<methodResponse a=>");
    parse_error("<methodResponse a='x>");
    parse_error("text<methodResponse/>");
    parse_error("<methodCall/>");
    parse_error(wrap("<value><array><value>1</value></array></value>"));
    parse_error(wrap("<value><array><data><int>1</int></data></array></value>"));
    parse_error(wrap("<value><struct><member><value>1</value></member></struct></value>"));
    parse_error(wrap("<value><struct><member><name>a</name></member></struct></value>"));
    parse_error(wrap("<value><struct><member><name>a<b/></name><value/></member></struct></value>"));
    parse_error(wrap("<value><struct><value>1</value></struct></value>"));
    // A fault must carry an int faultCode.
    parse_error("<methodResponse><fault><value><struct></struct></value></fault></methodResponse>");
    parse_error(
        "<methodResponse><fault><value><struct><member><name>faultCode</name>"
        "<value><string>10</string></value></member></struct></value></fault></methodResponse>");
    parse_error(
        "<methodResponse><fault><value><struct><member><name>faultCode</name>"
        "<value><i8>99999999999</i8></value></member></struct></value></fault></methodResponse>");
}

TEST(XmlRpcParser, EveryPrefixOfRealResponseFailsCleanly) {
    const std::string xml = fixture("get_process_info.xml");
    for (size_t n = 0; n + 1 < xml.size(); ++n) {
        // The last 1-2 bytes are trailing whitespace: still valid.
        if (xml.find("</methodResponse>") + 17 <= n) break;
        EXPECT_FALSE(parse_response(xml.substr(0, n)).ok()) << n;
    }
}

TEST(XmlRpcParser, DepthLimit) {
    auto nested = [](int depth) {
        std::string v = "<value>x</value>";
        for (int k = 1; k < depth; ++k) v = "<value><array><data>" + v + "</data></array></value>";
        return wrap(v);
    };
    EXPECT_TRUE(parse_response(nested(kMaxDepth)).ok());
    EXPECT_NE(parse_error(nested(kMaxDepth + 1)).find("nesting deeper than 32"), std::string::npos);
    // Far deeper than any stack could take if recursion were unbounded.
    std::string deep;
    for (int k = 0; k < 200000; ++k) deep += "<value><array><data>";
    parse_error(wrap(deep));
    std::string deep_struct = "<value>";
    for (int k = 0; k < 100; ++k) deep_struct += "<struct><member><name>a</name><value>";
    parse_error(wrap(deep_struct));
}

TEST(XmlRpcParser, ValueCountLimit) {
    std::string items;
    for (size_t k = 0; k < kMaxValues; ++k) items += "<value/>";
    EXPECT_NE(
        parse_error(wrap("<value><array><data>" + items + "</data></array></value>")).find("more than 100000 values"),
        std::string::npos);
    items.resize(items.size() - 8);
    auto r = parse_response(wrap("<value><array><data>" + items + "</data></array></value>"));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->value.array.size(), kMaxValues - 1);
}

TEST(XmlRpcParser, SizeLimit) {
    std::string big(kMaxResponseBytes + 1, ' ');
    EXPECT_NE(parse_error(big).find("larger than"), std::string::npos);
}

TEST(XmlRpcSupervisor, ProcessInfoValidation) {
    EXPECT_FALSE(to_process_info(Value::string("x")).ok());
    auto minimal = Value::structure({{"name", Value::string("a")},
                                     {"group", Value::string("g")},
                                     {"state", Value::integer(30)},
                                     {"pid", Value::integer(0)}});
    auto p = to_process_info(minimal);
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->statename, "BACKOFF");
    EXPECT_EQ(p->full_name(), "g:a");
    auto no_pid = minimal;
    no_pid.members.pop_back();
    EXPECT_EQ(to_process_info(no_pid).error(), "getProcessInfo: missing 'pid'");
    auto bad_type = minimal;
    bad_type.members[2].value = Value::string("20");
    EXPECT_EQ(to_process_info(bad_type).error(), "getProcessInfo: non-int 'state'");
    EXPECT_FALSE(to_process_infos(minimal).ok());
    auto list = to_process_infos(Value::list({minimal, Value::integer(1)}));
    EXPECT_FALSE(list.ok());
}
