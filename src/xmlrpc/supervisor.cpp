#include "xmlrpc/supervisor.hpp"

#include <climits>

#include "xmlrpc/xmlrpc.hpp"

namespace hc::xmlrpc {

const char* fault_name(int code) {
    switch (code) {
        case faults::UNKNOWN_METHOD: return "UNKNOWN_METHOD";
        case faults::INCORRECT_PARAMETERS: return "INCORRECT_PARAMETERS";
        case faults::BAD_ARGUMENTS: return "BAD_ARGUMENTS";
        case faults::SIGNATURE_UNSUPPORTED: return "SIGNATURE_UNSUPPORTED";
        case faults::SHUTDOWN_STATE: return "SHUTDOWN_STATE";
        case faults::BAD_NAME: return "BAD_NAME";
        case faults::BAD_SIGNAL: return "BAD_SIGNAL";
        case faults::NO_FILE: return "NO_FILE";
        case faults::NOT_EXECUTABLE: return "NOT_EXECUTABLE";
        case faults::FAILED: return "FAILED";
        case faults::ABNORMAL_TERMINATION: return "ABNORMAL_TERMINATION";
        case faults::SPAWN_ERROR: return "SPAWN_ERROR";
        case faults::ALREADY_STARTED: return "ALREADY_STARTED";
        case faults::NOT_RUNNING: return "NOT_RUNNING";
        case faults::SUCCESS: return "SUCCESS";
        case faults::ALREADY_ADDED: return "ALREADY_ADDED";
        case faults::STILL_RUNNING: return "STILL_RUNNING";
        case faults::CANT_REREAD: return "CANT_REREAD";
    }
    return "UNKNOWN_FAULT";
}

const char* state_name(int state) {
    switch (state) {
        case states::STOPPED: return "STOPPED";
        case states::STARTING: return "STARTING";
        case states::RUNNING: return "RUNNING";
        case states::BACKOFF: return "BACKOFF";
        case states::STOPPING: return "STOPPING";
        case states::EXITED: return "EXITED";
        case states::FATAL: return "FATAL";
    }
    return "UNKNOWN";
}

std::string ProcessInfo::full_name() const {
    if (group.empty() || group == name) return name;
    return group + ":" + name;
}

namespace {

Error field_error(const char* field, const char* problem) {
    return err(std::string("getProcessInfo: ") + problem + " '" + field + "'");
}

// Missing is fine unless required; present with the wrong type never is.
bool get_string(const Value& v, const char* field, bool required, std::string& out, Error& e) {
    const Value* f = v.get(field);
    if (!f) {
        if (required) e = field_error(field, "missing");
        return !required;
    }
    if (!f->as_string()) {
        e = field_error(field, "non-string");
        return false;
    }
    out = *f->as_string();
    return true;
}

bool get_int(const Value& v, const char* field, bool required, int64_t& out, Error& e) {
    const Value* f = v.get(field);
    if (!f) {
        if (required) e = field_error(field, "missing");
        return !required;
    }
    if (!f->as_int()) {
        e = field_error(field, "non-int");
        return false;
    }
    out = *f->as_int();
    return true;
}

}  // namespace

Result<ProcessInfo> to_process_info(const Value& v) {
    if (!v.is(Value::Kind::Struct)) {
        return err(std::string("getProcessInfo: expected a struct, got ") + kind_name(v.kind));
    }
    ProcessInfo p;
    Error e;
    int64_t state = states::UNKNOWN;
    const bool ok = get_string(v, "name", true, p.name, e) && get_string(v, "group", true, p.group, e) &&
                    get_int(v, "state", true, state, e) && get_int(v, "pid", true, p.pid, e) &&
                    get_string(v, "statename", false, p.statename, e) &&
                    get_string(v, "spawnerr", false, p.spawnerr, e) &&
                    get_string(v, "description", false, p.description, e) && get_int(v, "start", false, p.start, e) &&
                    get_int(v, "stop", false, p.stop, e) && get_int(v, "now", false, p.now, e) &&
                    get_int(v, "exitstatus", false, p.exitstatus, e);
    if (!ok) return e;
    if (state < INT_MIN || state > INT_MAX) return field_error("state", "out-of-range");
    p.state = static_cast<int>(state);
    if (p.statename.empty()) p.statename = state_name(p.state);
    return p;
}

Result<std::vector<ProcessInfo>> to_process_infos(const Value& v) {
    const std::vector<Value>* items = v.as_array();
    if (!items) return err(std::string("getAllProcessInfo: expected an array, got ") + kind_name(v.kind));
    std::vector<ProcessInfo> out;
    out.reserve(items->size());
    for (const Value& item : *items) {
        Result<ProcessInfo> p = to_process_info(item);
        if (!p) return err(p.error());
        out.push_back(std::move(*p));
    }
    return out;
}

std::string get_process_info_call(const std::string& name) {
    return build_call("supervisor.getProcessInfo", {Value::string(name)});
}

std::string get_all_process_info_call() { return build_call("supervisor.getAllProcessInfo", {}); }

std::string start_process_call(const std::string& name, bool wait) {
    return build_call("supervisor.startProcess", {Value::string(name), Value::boolean(wait)});
}

std::string stop_process_call(const std::string& name, bool wait) {
    return build_call("supervisor.stopProcess", {Value::string(name), Value::boolean(wait)});
}

std::string signal_process_call(const std::string& name, const std::string& signal) {
    return build_call("supervisor.signalProcess", {Value::string(name), Value::string(signal)});
}

std::string get_pid_call() { return build_call("supervisor.getPID", {}); }

}  // namespace hc::xmlrpc
