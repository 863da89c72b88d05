FUZZ_TARGETS += fuzz_dt
fuzz_dt_SRCS := src/platform/dt.c src/lib/fmt.c
fuzz_dt_LIBS := -lfdt
