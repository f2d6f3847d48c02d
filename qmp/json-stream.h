/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A streaming JSON lexer: splits a byte stream into complete JSON texts.
 *
 * Bytes are fed as they arrive, in pieces of any size: a text, a string or
 * a multi-byte character may span any number of reads. The lexer checks
 * every token as QEMU's JSON lexer and parser do (RFC 8259, plus QEMU's
 * single-quoted strings and \' escape): strings hold well-formed UTF-8 (no
 * overlong form, no surrogate, nothing above U+10FFFF), no raw control
 * character, valid escapes only, surrogate escapes in pairs; bare words
 * are true, false, null or RFC 8259 numbers. It tracks nesting, and reports
 * a text once its outermost object or array closes, or a scalar at the top
 * level ends. The grammar between tokens is left to a JSON parser: the text
 * it gets is normalised to plain RFC 8259 (single-quoted strings become
 * double-quoted ones).
 *
 * After an error, input is dropped up to the next line end or reset byte
 * (an ASCII control character other than tab, or 0xFE/0xFF; qmp-spec),
 * outside of any string: the lexer starts afresh there. Reset bytes
 * between texts are ignored. Both the size of a text and its nesting are
 * bounded, as the bytes arrive.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_QMP_JSON_STREAM_H
#define QD_QMP_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting a lexer may allow: one bit per level */
#define JSON_STREAM_MAX_DEPTH 64

/* What json_stream_feed() stopped at */
enum json_stream_event {
	JSON_STREAM_MORE,     /* all input used; no text complete */
	JSON_STREAM_TEXT,     /* a text is complete: json_stream_text() */
	JSON_STREAM_ERROR,    /* a lexical error: json_stream_error() */
	JSON_STREAM_TOO_LONG, /* a text exceeds the lexer's max_bytes */
};

struct json_stream {
	size_t max_bytes;	/* bytes of input in one text */
	unsigned int max_depth; /* open objects and arrays in one text */

	/* The text so far, normalised, NUL-terminated once complete */
	char *buf;
	size_t len, cap;
	size_t in_bytes; /* bytes of input it came from */
	bool done;	 /* buf holds a complete text until the next feed */

	unsigned int state;
	unsigned int depth;
	uint64_t objects; /* bit n set: level n + 1 is an object */
	size_t word;	  /* start of the bare word being read, in buf */

	/* Within a string */
	char quote;	   /* its opening quote */
	uint8_t utf8_need; /* continuation bytes still expected */
	uint8_t utf8_lo;   /* range of the next one */
	uint8_t utf8_hi;
	uint8_t hex_left; /* \u digits still expected */
	uint16_t hex;	  /* \u digits so far */
	uint16_t high;	  /* high surrogate escape awaiting its pair, or 0 */

	char error[80]; /* the last error */
};

void json_stream_init(struct json_stream *js, size_t max_bytes,
		      unsigned int max_depth);
void json_stream_fini(struct json_stream *js);
enum json_stream_event json_stream_feed(struct json_stream *js, const char *buf,
					size_t len, size_t *used);
enum json_stream_event json_stream_flush(struct json_stream *js);
const char *json_stream_text(const struct json_stream *js, size_t *len);
const char *json_stream_error(const struct json_stream *js);
void json_stream_recover(struct json_stream *js);

size_t json_utf8_char(const char *s, size_t len, uint32_t *cp);

#endif /* QD_QMP_JSON_STREAM_H */
