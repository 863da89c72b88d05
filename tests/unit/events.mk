# Host unit tests of events, timers and TPLs (clock and allocator stubbed).
UNIT_TESTS += test_events
test_events_SRCS := src/efi/events.c
