/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares: libFuzzer's entry points, the reader of the
 * input, and the report of a failed check.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_FUZZ_COMMON_H
#define QD_TESTS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer calls these (-fsanitize=fuzzer provides main()) */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rest of a fuzz input, consumed from the front; past its end every
 * read yields zeros */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

uint8_t fuzz_u8(struct fuzz_input *in);
uint16_t fuzz_u16(struct fuzz_input *in);
uint32_t fuzz_u32(struct fuzz_input *in);
void fuzz_bytes(struct fuzz_input *in, void *dst, size_t len);
const uint8_t *fuzz_take(struct fuzz_input *in, size_t len, size_t *got);

void fuzz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* QD_TESTS_FUZZ_FUZZ_COMMON_H */
