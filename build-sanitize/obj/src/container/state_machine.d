build-sanitize/obj/src/container/state_machine.o: \
 src/container/state_machine.cpp src/container/state_machine.hpp
src/container/state_machine.hpp:
