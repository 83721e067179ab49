build-sanitize/obj/src/container/run.o: src/container/run.cpp \
 src/container/run.hpp src/container/cli.hpp src/util/result.hpp \
 src/container/report.hpp src/http/message.hpp src/net/url.hpp \
 src/container/state_file.hpp src/container/state_machine.hpp \
 src/net/fd.hpp src/http/client.hpp src/http/exchange.hpp \
 src/http/response_parser.hpp src/net/address.hpp src/net/tls.hpp \
 src/net/transport.hpp src/util/deadline.hpp src/net/resolver.hpp \
 src/notify/dingtalk.hpp src/notify/robots.hpp src/util/text.hpp
src/container/run.hpp:
src/container/cli.hpp:
src/util/result.hpp:
src/container/report.hpp:
src/http/message.hpp:
src/net/url.hpp:
src/container/state_file.hpp:
src/container/state_machine.hpp:
src/net/fd.hpp:
src/http/client.hpp:
src/http/exchange.hpp:
src/http/response_parser.hpp:
src/net/address.hpp:
src/net/tls.hpp:
src/net/transport.hpp:
src/util/deadline.hpp:
src/net/resolver.hpp:
src/notify/dingtalk.hpp:
src/notify/robots.hpp:
src/util/text.hpp:
