/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the streaming JSON lexer of the QMP monitor: texts, strings,
 * escapes, UTF-8, bare words, nesting and size bounds, and error recovery.
 *
 * Every input is fed whole and in pieces of every size up to 16 bytes (one
 * byte at a time included): the events must not depend on how the input
 * was cut into reads.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "qmp/json-stream.h"

#define MAX_BYTES 64
#define MAX_DEPTH 4

/**
 * lex() - The events of an input fed in pieces
 * @in:		input
 * @len:	its length
 * @chunk:	bytes per feed
 * @max_bytes:	the lexer's size bound
 * @max_depth:	its nesting bound
 *
 * Texts are recorded as "T:TEXT", errors as "E:WHAT", an oversized text as
 * "L"; the input ends with json_stream_flush().
 *
 * Return: the events, one string each, a newly allocated string vector
 */
static char **lex(const char *in, size_t len, size_t chunk, size_t max_bytes,
		  unsigned int max_depth)
{
	GPtrArray *out = g_ptr_array_new();
	enum json_stream_event ev;
	struct json_stream js;
	size_t off = 0, n, used, tlen;
	const char *text;
	bool flushed = false;

	json_stream_init(&js, max_bytes, max_depth);
	while (!flushed) {
		if (off < len) {
			n = MIN(chunk, len - off);
			ev = json_stream_feed(&js, in + off, n, &used);
			g_assert_cmpuint(used, <=, n);
			off += used;
		} else {
			ev = json_stream_flush(&js);
			flushed = true;
		}
		switch (ev) {
		case JSON_STREAM_MORE:
			break;
		case JSON_STREAM_TEXT:
			text = json_stream_text(&js, &tlen);
			g_assert_nonnull(text);
			g_assert_cmpuint(strlen(text), <=, tlen);
			g_ptr_array_add(out, g_strdup_printf("T:%.*s",
							     (int)tlen, text));
			break;
		case JSON_STREAM_ERROR:
			g_ptr_array_add(
				out, g_strdup_printf("E:%s",
						     json_stream_error(&js)));
			break;
		case JSON_STREAM_TOO_LONG:
			g_ptr_array_add(out, g_strdup("L"));
			break;
		}
	}
	json_stream_fini(&js);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/**
 * check_bounded() - An input gives the expected events, however it is cut
 * @in:		input
 * @len:	its length
 * @max_bytes:	the lexer's size bound
 * @max_depth:	its nesting bound
 * @want:	the events, as lex() records them, NULL-terminated
 */
static void check_bounded(const char *in, size_t len, size_t max_bytes,
			  unsigned int max_depth, const char *const *want)
{
	size_t chunk;
	char **got;
	char *a, *b;

	for (chunk = 1; chunk <= 17; chunk++) {
		got = lex(in, len, chunk == 17 ? MAX(len, 1) : chunk, max_bytes,
			  max_depth);
		if (!g_strv_equal((const char *const *)got, want)) {
			a = g_strjoinv(" | ", got);
			b = g_strjoinv(" | ", (char **)want);
			g_test_message("input %s, %zu bytes per feed",
				       g_strescape(in, NULL), chunk);
			g_assert_cmpstr(a, ==, b);
		}
		g_strfreev(got);
	}
}

/* check() with the default bounds and a NUL-terminated input */
#define check(in, ...)                                                         \
	check_bounded(in, strlen(in), MAX_BYTES, MAX_DEPTH,                    \
		      (const char *const[]){ __VA_ARGS__, NULL })

/* An input that gives no event at all */
#define check_nothing(in)                                                      \
	check_bounded(in, strlen(in), MAX_BYTES, MAX_DEPTH,                    \
		      (const char *const[]){ NULL })

/**
 * test_texts() - Texts as a stream: objects, arrays, top-level scalars
 */
static void test_texts(void)
{
	check("{\"a\": [1, {\"b\": null}]}", "T:{\"a\": [1, {\"b\": null}]}");
	check("{}[]\"s\"", "T:{}", "T:[]", "T:\"s\"");
	check(" \r\n\t{ \"a\" :\t1 }\n\n[ ]  ", "T:{ \"a\" :\t1 }", "T:[ ]");
	/* A word at the top level ends at the next byte, or at the end */
	check("42 true\nfalse[null]-1.5e3", "T:42", "T:true", "T:false",
	      "T:[null]", "T:-1.5e3");
	check("1{}2\"x\"3", "T:1", "T:{}", "T:2", "T:\"x\"", "T:3");
	check_nothing("");
	check_nothing(" \r\n\t ");
	/* Unfinished texts stay unfinished */
	check_nothing("{\"a\": [1, ");
	check_nothing("\"abc");
}

/**
 * test_feed_used() - An event stops the lexer right after its byte; a
 * word's end is fed again
 */
static void test_feed_used(void)
{
	const char *in = "{} 12 [";
	struct json_stream js;
	size_t used, len;

	json_stream_init(&js, MAX_BYTES, MAX_DEPTH);
	g_assert_cmpint(json_stream_feed(&js, in, 7, &used), ==,
			JSON_STREAM_TEXT);
	g_assert_cmpuint(used, ==, 2);
	g_assert_cmpstr(json_stream_text(&js, &len), ==, "{}");
	g_assert_cmpuint(len, ==, 2);
	g_assert_cmpint(json_stream_feed(&js, in + 2, 5, &used), ==,
			JSON_STREAM_TEXT);
	g_assert_cmpuint(used, ==, 3);
	g_assert_cmpstr(json_stream_text(&js, &len), ==, "12");
	g_assert_cmpint(json_stream_feed(&js, in + 5, 2, &used), ==,
			JSON_STREAM_MORE);
	g_assert_cmpuint(used, ==, 2);
	g_assert_null(json_stream_text(&js, &len));
	json_stream_fini(&js);
}

/**
 * test_single_quotes() - QEMU's single-quoted strings and \' escape come
 * out double-quoted, as json-c in strict mode takes them
 */
static void test_single_quotes(void)
{
	static const char *const cases[][2] = {
		{ "{'execute': 'x'}", "{\"execute\": \"x\"}" },
		{ "'say \"hi\"'", "\"say \\\"hi\\\"\"" },
		{ "'it\\'s'", "\"it's\"" },
		{ "\"it\\'s\"", "\"it's\"" },
		{ "\"'\"", "\"'\"" },
		{ "'\\\"'", "\"\\\"\"" },
		{ "'\xc3\xa9'", "\"\xc3\xa9\"" },
	};
	json_tokener *tok = json_tokener_new();
	json_object *obj;
	char *want;
	size_t i;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		want = g_strconcat("T:", cases[i][1], NULL);
		check(cases[i][0], want);
		g_free(want);
		json_tokener_reset(tok);
		obj = json_tokener_parse_ex(tok, cases[i][1],
					    strlen(cases[i][1]) + 1);
		g_assert_cmpint(json_tokener_get_error(tok), ==,
				json_tokener_success);
		json_object_put(obj);
	}
	check("{'a': \"b\"}", "T:{\"a\": \"b\"}");
	json_tokener_free(tok);
}

/**
 * test_escapes() - The escapes of RFC 8259; surrogates only in pairs
 */
static void test_escapes(void)
{
	check("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
	      "T:\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"");
	check("\"\\u0000\\u0041\\u00E9\\uFFFF\"",
	      "T:\"\\u0000\\u0041\\u00e9\\uffff\"");
	check("\"\\ud83d\\ude00\"", "T:\"\\ud83d\\ude00\"");
	check("\"\\uDBFF\\uDFFF\"", "T:\"\\udbff\\udfff\"");
	check("\"\\x\" 1", "E:invalid escape '\\x' in string");
	check("\"\\u12g4\"", "E:invalid \\u escape in string");
	check("\"\\u12\"", "E:invalid \\u escape in string");
	check("\"\\ud800\"", "E:lone surrogate \\ud800 in string");
	check("\"\\udc00\"", "E:lone surrogate \\udc00 in string");
	check("\"\\uDBFF\"", "E:lone surrogate \\udbff in string");
	check("\"\\ud800x\"", "E:lone surrogate \\ud800 in string");
	check("\"\\ud800\\n\"", "E:lone surrogate \\ud800 in string");
	check("\"\\ud800\\u0041\"", "E:lone surrogate \\ud800 in string");
	check("\"\\ud800\\ud800\"", "E:lone surrogate \\ud800 in string");
	check("\"\\ude00\\ud83d\"", "E:lone surrogate \\ude00 in string");
	/* What follows the error on its line is dropped */
	check("{\"a\": \"\\ud800\"}, [1]\n[2]",
	      "E:lone surrogate \\ud800 in string", "T:[2]");
}

/**
 * test_utf8() - Strings hold well-formed UTF-8 only
 */
static void test_utf8(void)
{
	static const char *const good[] = {
		"\xc2\x80",	    "\xc3\xa9",		"\xdf\xbf",
		"\xe0\xa0\x80",	    "\xe2\x82\xac",	"\xed\x9f\xbf",
		"\xee\x80\x80",	    "\xef\xbf\xbf",	"\xf0\x90\x80\x80",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\x7f",
	};
	static const char *const bad[] = {
		"\x80", /* continuation byte first */
		"\xbf",
		"\xc0\xaf", /* overlong */
		"\xc1\xbf",
		"\xe0\x80\xaf",
		"\xe0\x9f\xbf",
		"\xf0\x80\x80\xaf",
		"\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80", /* surrogate */
		"\xed\xbf\xbf",
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xf5\x80\x80\x80",
		"\xf8\x88\x80\x80\x80",
		"\xc3", /* truncated by the quote */
		"\xe2\x82",
		"\xf0\x9f\x98",
		"\xc3\xc3\xa9",
		"\xe2\x28\xa1",
	};
	char *in, *want;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		in = g_strdup_printf("[\"a%sb\"]", good[i]);
		want = g_strconcat("T:", in, NULL);
		check(in, want);
		g_free(in);
		g_free(want);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		/* The next line is served */
		in = g_strdup_printf("[\"a%sb\"] [0]\n[1]", bad[i]);
		check(in, "E:invalid UTF-8 sequence in string", "T:[1]");
		g_free(in);
	}
	/* 0xFE and 0xFF reset the lexer: what follows them is parsed */
	check("[\"a\xfe\"] [0]\n[1]", "E:invalid UTF-8 sequence in string",
	      "E:control character 0x0a in string", "T:[1]");
	check("[\"a\xff[1]", "E:invalid UTF-8 sequence in string", "T:[1]");
	/* Outside of strings, non-ASCII bytes are stray */
	check("[\xc3\xa9]\n[1]", "E:stray byte 0xc3", "T:[1]");
}

/**
 * test_utf8_char() - json_utf8_char() applies the lexer's rules
 */
static void test_utf8_char(void)
{
	uint32_t cp;

	g_assert_cmpuint(json_utf8_char("A", 1, &cp), ==, 1);
	g_assert_cmphex(cp, ==, 'A');
	g_assert_cmpuint(json_utf8_char("\xc3\xa9x", 3, &cp), ==, 2);
	g_assert_cmphex(cp, ==, 0xe9);
	g_assert_cmpuint(json_utf8_char("\xe2\x82\xac", 3, &cp), ==, 3);
	g_assert_cmphex(cp, ==, 0x20ac);
	g_assert_cmpuint(json_utf8_char("\xf0\x9f\x98\x80", 4, &cp), ==, 4);
	g_assert_cmphex(cp, ==, 0x1f600);
	g_assert_cmpuint(json_utf8_char("\xf4\x8f\xbf\xbf", 4, &cp), ==, 4);
	g_assert_cmphex(cp, ==, 0x10ffff);
	g_assert_cmpuint(json_utf8_char("\xc3\xa9", 1, &cp), ==, 0);
	g_assert_cmpuint(json_utf8_char("\xf0\x9f\x98", 3, &cp), ==, 0);
	g_assert_cmpuint(json_utf8_char("\xc0\xaf", 2, &cp), ==, 0);
	g_assert_cmpuint(json_utf8_char("\xed\xa0\x80", 3, &cp), ==, 0);
	g_assert_cmpuint(json_utf8_char("\xf4\x90\x80\x80", 4, &cp), ==, 0);
	g_assert_cmpuint(json_utf8_char("\xff", 1, &cp), ==, 0);
	g_assert_cmpuint(json_utf8_char("\x80", 1, &cp), ==, 0);
}

/**
 * test_split_characters() - A character, escape or word over many reads
 */
static void test_split_characters(void)
{
	static const char in[] = "{\"id\": \"\xc3\xa9t\xf0\x9f\x98\x80\\ud83d"
				 "\\ude00\", \"n\": -12.5e+3}";
	struct json_stream js;
	size_t i, used, len;
	int texts = 0;

	/* One byte a feed, also through check(): any cut */
	check(in, "T:{\"id\": \"\xc3\xa9t\xf0\x9f\x98\x80\\ud83d\\ude00\", "
		  "\"n\": -12.5e+3}");
	json_stream_init(&js, MAX_BYTES, MAX_DEPTH);
	for (i = 0; i < sizeof(in) - 1; i++) {
		if (json_stream_feed(&js, in + i, 1, &used) ==
		    JSON_STREAM_TEXT) {
			texts++;
			g_assert_cmpstr(json_stream_text(&js, &len), ==, in);
		}
		g_assert_cmpuint(used, ==, 1);
	}
	g_assert_cmpint(texts, ==, 1);
	json_stream_fini(&js);
}

/**
 * test_control_characters() - No raw control character in a string
 */
static void test_control_characters(void)
{
	check("[\"a\tb\"]\n[1]", "E:control character 0x09 in string", "T:[1]");
	check("[\"a\rb\"]\n[1]", "E:control character 0x0d in string",
	      "E:invalid keyword 'b'", "T:[1]");
	check("[\"a\x7f\"]", "T:[\"a\x7f\"]");
	/* The line end is the error: the next line is served, as is what
	 * follows on it */
	check("[\"a\nb\"]\n[1]", "E:control character 0x0a in string",
	      "E:invalid keyword 'b'", "T:[1]");
	check("[\"a\n[1]", "E:control character 0x0a in string", "T:[1]");
	check_bounded("[\"a\0b\"]\n[1]", 11, MAX_BYTES, MAX_DEPTH,
		      (const char *const[]){
			      "E:control character 0x00 in string",
			      "E:invalid keyword 'b'", "T:[1]", NULL });
}

/**
 * test_words() - Bare words are true, false, null or RFC 8259 numbers
 */
static void test_words(void)
{
	static const char *const good[] = {
		"true",
		"false",
		"null",
		"0",
		"-0",
		"7",
		"-7",
		"10",
		"1.5",
		"-0.5",
		"1e5",
		"1E5",
		"1e+5",
		"1e-5",
		"0e0",
		"1.0E-10",
		"123456789012345678901234567890",
	};
	static const char *const bad[] = {
		"True", "NULL", "nul",	"truex", "NaN",	 "Infinity", "x",
		"01",	"-01",	"1.",	".5",	 "+1",	 "1e",	     "1e+",
		"-",	"--1",	"1.5.", "1e5.0", "0x10", "1-",
	};
	char *in, *want, *word;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		in = g_strdup_printf("[%s]%s", good[i], good[i]);
		want = g_strdup_printf("T:[%s]", good[i]);
		word = g_strdup_printf("T:%s", good[i]);
		check(in, want, word);
		g_free(in);
		g_free(want);
		g_free(word);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		in = g_strdup_printf("[%s] [0]\n[1]", bad[i]);
		want = g_strdup_printf("E:invalid %s '%s'",
				       g_ascii_isalpha(bad[i][0]) ? "keyword"
								  : "number",
				       bad[i]);
		check(in, want, "T:[1]");
		g_free(in);
		g_free(want);
	}
	check("[abcdefghijklmnopqrstuvwxyz]",
	      "E:invalid keyword 'abcdefghijklmnop...'");
	/* At the top level, the end of input ends a word */
	check("nul", "E:invalid keyword 'nul'");
}

/**
 * test_structure() - Brackets must match; separators need a container;
 * other bytes are stray
 */
static void test_structure(void)
{
	check("]\n[1]", "E:unexpected ']'", "T:[1]");
	check("}", "E:unexpected '}'");
	check("{]}\n[1]", "E:unexpected ']' in an object", "T:[1]");
	check("[}]", "E:unexpected '}' in an array");
	check(",", "E:unexpected ','");
	check(": [1]\n[2]", "E:unexpected ':'", "T:[2]");
	check("{\"a\" /* c */: 1}", "E:unexpected '/'");
	check("[1] # c\n[2]", "T:[1]", "E:unexpected '#'", "T:[2]");
	check("[\x80]", "E:stray byte 0x80");
	/* The grammar between tokens is the parser's */
	check("[1 2 :,]", "T:[1 2 :,]");
}

/**
 * test_nesting() - At most max_depth levels
 */
static void test_nesting(void)
{
	check("[{\"a\": [[1]]}]", "T:[{\"a\": [[1]]}]");
	check("[{\"a\": [[[1]]]}]\n[1]", "E:nesting deeper than 4 levels",
	      "T:[1]");
	check("[[[[[[[[[[\n{}", "E:nesting deeper than 4 levels", "T:{}");
	/* Capped at what the lexer can track */
	check_bounded("[[[[[[]]]]]]", 12, MAX_BYTES, 1000,
		      (const char *const[]){ "T:[[[[[[]]]]]]", NULL });
}

/**
 * test_size() - At most max_bytes of input per text
 */
static void test_size(void)
{
	char in[MAX_BYTES * 3];
	char *want;

	/* Exactly at the bound, with blanks around that do not count */
	memset(in, ' ', sizeof(in));
	in[4] = '[';
	in[5] = '"';
	memset(in + 6, 'x', MAX_BYTES - 4);
	in[MAX_BYTES + 2] = '"';
	in[MAX_BYTES + 3] = ']';
	in[MAX_BYTES + 10] = '\0';
	want = g_strdup_printf("T:%.*s", MAX_BYTES, in + 4);
	check(in, want);
	g_free(want);
	/* One byte more: the text is refused once the byte comes */
	in[MAX_BYTES + 2] = 'x';
	in[MAX_BYTES + 3] = '"';
	in[MAX_BYTES + 4] = ']';
	check(in, "L");
	/* An unterminated string, or endless nesting-free input */
	memset(in, 'x', sizeof(in) - 1);
	in[0] = '"';
	in[sizeof(in) - 1] = '\0';
	check(in, "L");
	/* A word as long as the bound ends fine at its delimiter */
	memset(in, '1', MAX_BYTES);
	in[MAX_BYTES] = ' ';
	in[MAX_BYTES + 1] = '\0';
	want = g_strdup_printf("T:%.*s", MAX_BYTES, in);
	check(in, want);
	g_free(want);
	/* The bound holds per text: many texts in a row are fine */
	want = g_strnfill(MAX_BYTES * 2, ' ');
	memcpy(want, "[1][2][3][4][5][6][7][8][9]", 27);
	check(want, "T:[1]", "T:[2]", "T:[3]", "T:[4]", "T:[5]", "T:[6]",
	      "T:[7]", "T:[8]", "T:[9]");
	g_free(want);
}

/**
 * test_recovery() - After an error, input up to the next line end or reset
 * byte is dropped, outside of any string
 */
static void test_recovery(void)
{
	/* A stray quote after the error does not open a string */
	check("{\"a\": ] \"x\n[1]", "E:unexpected ']' in an object", "T:[1]");
	check("{\"a\": \"x\xc0\"} \"[0]\n[1]",
	      "E:invalid UTF-8 sequence in string", "T:[1]");
	/*
	 * 0xFF in a string is a reset byte too: the rest of the line is
	 * parsed, and a string that runs into the line end is an error
	 */
	check("{\"a\": \"x\xff\"} [0]\n[1]",
	      "E:invalid UTF-8 sequence in string",
	      "E:control character 0x0a in string", "T:[1]");
	check("{\"a\": \"x\xfe\"} [0]\r[1]",
	      "E:invalid UTF-8 sequence in string",
	      "E:control character 0x0d in string", "T:[1]");
	/* A reset byte within a text: an error, and what follows is parsed */
	check("{\"a\": \x1b{\"b\": 1}", "E:stray byte 0x1b", "T:{\"b\": 1}");
	check("{\"a\": \"x\x01[1]", "E:control character 0x01 in string",
	      "T:[1]");
	check("[1, \xff[2]", "E:stray byte 0xff", "T:[2]");
	/* ... and one after an error ends the recovery */
	check("] [0] \x04[1]", "E:unexpected ']'", "T:[1]");
	/* Between texts, reset bytes are ignored */
	check("\x1b\x04\xff\xfe[1]\x01[2]", "T:[1]", "T:[2]");
	/* Several errors, each answered, then the next line */
	check("[x] \n ] \n [1]", "E:invalid keyword 'x'", "E:unexpected ']'",
	      "T:[1]");
}

/**
 * test_recover_call() - json_stream_recover() drops the rest of the line
 * after a text the parser refused
 */
static void test_recover_call(void)
{
	const char *in = "[1 2] [3]\n[4]";
	struct json_stream js;
	size_t used, off, len;

	json_stream_init(&js, MAX_BYTES, MAX_DEPTH);
	g_assert_cmpint(json_stream_feed(&js, in, strlen(in), &used), ==,
			JSON_STREAM_TEXT);
	g_assert_cmpstr(json_stream_text(&js, &len), ==, "[1 2]");
	json_stream_recover(&js);
	off = used;
	g_assert_cmpint(
		json_stream_feed(&js, in + off, strlen(in) - off, &used), ==,
		JSON_STREAM_TEXT);
	g_assert_cmpstr(json_stream_text(&js, &len), ==, "[4]");
	g_assert_cmpuint(off + used, ==, strlen(in));
	json_stream_fini(&js);
}

/**
 * test_flush() - The end of input completes a top-level word only
 */
static void test_flush(void)
{
	struct json_stream js;
	size_t used, len;

	json_stream_init(&js, MAX_BYTES, MAX_DEPTH);
	g_assert_cmpint(json_stream_flush(&js), ==, JSON_STREAM_MORE);
	g_assert_cmpint(json_stream_feed(&js, "-12", 3, &used), ==,
			JSON_STREAM_MORE);
	g_assert_cmpint(json_stream_flush(&js), ==, JSON_STREAM_TEXT);
	g_assert_cmpstr(json_stream_text(&js, &len), ==, "-12");
	g_assert_cmpint(json_stream_flush(&js), ==, JSON_STREAM_MORE);
	g_assert_cmpint(json_stream_feed(&js, "[12", 3, &used), ==,
			JSON_STREAM_MORE);
	g_assert_cmpint(json_stream_flush(&js), ==, JSON_STREAM_MORE);
	json_stream_fini(&js);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qmp/json-stream/texts", test_texts);
	g_test_add_func("/qmp/json-stream/feed-used", test_feed_used);
	g_test_add_func("/qmp/json-stream/single-quotes", test_single_quotes);
	g_test_add_func("/qmp/json-stream/escapes", test_escapes);
	g_test_add_func("/qmp/json-stream/utf8", test_utf8);
	g_test_add_func("/qmp/json-stream/utf8-char", test_utf8_char);
	g_test_add_func("/qmp/json-stream/split-characters",
			test_split_characters);
	g_test_add_func("/qmp/json-stream/control-characters",
			test_control_characters);
	g_test_add_func("/qmp/json-stream/words", test_words);
	g_test_add_func("/qmp/json-stream/structure", test_structure);
	g_test_add_func("/qmp/json-stream/nesting", test_nesting);
	g_test_add_func("/qmp/json-stream/size", test_size);
	g_test_add_func("/qmp/json-stream/recovery", test_recovery);
	g_test_add_func("/qmp/json-stream/recover-call", test_recover_call);
	g_test_add_func("/qmp/json-stream/flush", test_flush);
	return g_test_run();
}
