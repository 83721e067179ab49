build-sanitize/obj/src/container/state_file.o: \
 src/container/state_file.cpp src/container/state_file.hpp \
 src/container/state_machine.hpp src/net/fd.hpp src/util/result.hpp \
 src/util/deadline.hpp src/util/text.hpp
src/container/state_file.hpp:
src/container/state_machine.hpp:
src/net/fd.hpp:
src/util/result.hpp:
src/util/deadline.hpp:
src/util/text.hpp:
