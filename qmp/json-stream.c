/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A streaming JSON lexer: splits a byte stream into complete JSON texts.
 *
 * One byte at a time, so that nothing depends on how the input was cut into
 * reads. A byte at fault is left unconsumed: recovery then looks at it, so
 * a line end or control character that caused an error also ends the
 * recovery, and the next line is always parsed.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/json-stream.h"

/* Lexer states */
enum {
	JS_BETWEEN,	   /* between texts */
	JS_VALUE,	   /* in a text, outside of strings and words */
	JS_WORD,	   /* in a bare word: keyword or number */
	JS_STRING,	   /* in a string */
	JS_UTF8,	   /* in a multi-byte character of a string */
	JS_ESCAPE,	   /* after a backslash */
	JS_HEX,		   /* in the digits of \uXXXX */
	JS_PAIR_BACKSLASH, /* after a high surrogate escape: '\' must follow */
	JS_PAIR_U,	   /* ... then 'u' */
	JS_RECOVER,	   /* after an error: dropping input */
};

/* Longest part of a bad word quoted in an error */
#define JS_WORD_QUOTED 16

/**
 * utf8_lead() - What a UTF-8 lead byte announces (RFC 3629, table 3-7 of
 *		 the Unicode standard)
 * @ch:		the byte, 0x80 or more
 * @need:	set to the number of continuation bytes
 * @lo:		set to the lowest valid first continuation byte
 * @hi:		set to the highest one
 *
 * The ranges leave out overlong forms, surrogates and code points above
 * U+10FFFF.
 *
 * Return: false if @ch cannot start a character
 */
static bool utf8_lead(unsigned char ch, unsigned int *need, unsigned char *lo,
		      unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (ch >= 0xc2 && ch <= 0xdf) {
		*need = 1;
	} else if (ch >= 0xe0 && ch <= 0xef) {
		*need = 2;
		if (ch == 0xe0)
			*lo = 0xa0;
		else if (ch == 0xed)
			*hi = 0x9f;
	} else if (ch >= 0xf0 && ch <= 0xf4) {
		*need = 3;
		if (ch == 0xf0)
			*lo = 0x90;
		else if (ch == 0xf4)
			*hi = 0x8f;
	} else {
		return false;
	}
	return true;
}

/**
 * json_utf8_char() - Decode one UTF-8 character
 * @s:		bytes
 * @len:	their number, at least 1
 * @cp:		set to the code point
 *
 * The same rules as the lexer's: no overlong form, no surrogate, nothing
 * above U+10FFFF.
 *
 * Return: the length of the character at @s, 0 if it is not valid UTF-8
 * or truncated
 */
size_t json_utf8_char(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo, hi;
	unsigned int need, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (!utf8_lead(u[0], &need, &lo, &hi) || len <= need)
		return 0;
	*cp = u[0] & (0x3f >> need);
	for (i = 1; i <= need; i++) {
		if (u[i] < lo || u[i] > hi)
			return 0;
		*cp = (*cp << 6) | (u[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/**
 * is_reset() - Whether a byte resets the lexer (qmp-spec)
 * @ch:		the byte
 *
 * Return: true for ASCII control characters other than tab, CR and LF,
 * and for 0xFE and 0xFF, never valid in UTF-8
 */
static bool is_reset(unsigned char ch)
{
	return (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') ||
	       ch >= 0xfe;
}

/**
 * is_space() - Whether a byte is JSON whitespace
 * @ch:		the byte
 *
 * Return: true for space, tab, CR and LF
 */
static bool is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/**
 * is_alpha() - Whether a byte is an ASCII letter
 * @ch:		the byte
 *
 * Return: true for 'a' to 'z' and 'A' to 'Z'
 */
static bool is_alpha(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/**
 * is_word() - Whether a byte belongs to a bare word
 * @ch:		the byte
 *
 * Return: true for letters, digits and the other characters of numbers
 */
static bool is_word(unsigned char ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '+' || ch == '.';
}

/**
 * hex_value() - The value of a hexadecimal digit
 * @ch:		the byte
 *
 * Return: 0 to 15, or -1 if @ch is not a hexadecimal digit
 */
static int hex_value(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/**
 * is_digit() - Whether a byte is a decimal digit
 * @ch:		the byte
 *
 * Return: true for '0' to '9'
 */
static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/**
 * number_valid() - Whether a word is an RFC 8259 number
 * @w:		the word
 * @n:		its length
 *
 * Return: true for -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 */
static bool number_valid(const char *w, size_t n)
{
	size_t i = 0;

	if (i < n && w[i] == '-')
		i++;
	if (i < n && w[i] == '0') {
		i++;
	} else if (i < n && w[i] >= '1' && w[i] <= '9') {
		while (i < n && is_digit(w[i]))
			i++;
	} else {
		return false;
	}
	if (i < n && w[i] == '.') {
		if (++i == n || !is_digit(w[i]))
			return false;
		while (i < n && is_digit(w[i]))
			i++;
	}
	if (i < n && (w[i] == 'e' || w[i] == 'E')) {
		i++;
		if (i < n && (w[i] == '+' || w[i] == '-'))
			i++;
		if (i == n || !is_digit(w[i]))
			return false;
		while (i < n && is_digit(w[i]))
			i++;
	}
	return i == n;
}

/**
 * word_valid() - Whether a bare word is a JSON literal or number
 * @w:		the word
 * @n:		its length
 *
 * Return: true for true, false, null (QEMU takes only these spellings)
 * and numbers
 */
static bool word_valid(const char *w, size_t n)
{
	static const char *const keywords[] = { "true", "false", "null" };
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (n == strlen(keywords[i]) && !memcmp(w, keywords[i], n))
			return true;
	}
	return number_valid(w, n);
}

/**
 * js_clear() - Forget the text being built and any nesting
 * @js:		lexer
 * @state:	state to go to
 */
static void js_clear(struct json_stream *js, unsigned int state)
{
	js->state = state;
	js->len = 0;
	js->in_bytes = 0;
	js->done = false;
	js->depth = 0;
	js->objects = 0;
	js->high = 0;
}

/**
 * js_error() - Report a lexical error; recover from it
 * @js:		lexer
 * @fmt:	what is wrong, printf-style
 *
 * Return: JSON_STREAM_ERROR
 */
static enum json_stream_event __attribute__((format(printf, 2, 3)))
js_error(struct json_stream *js, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(js->error, sizeof(js->error), fmt, ap);
	va_end(ap);
	js_clear(js, JS_RECOVER);
	return JSON_STREAM_ERROR;
}

/**
 * js_put() - Append normalised bytes to the text
 * @js:		lexer
 * @s:		bytes
 * @n:		their number
 *
 * The text holds at most twice its input (a '"' within a single-quoted
 * string becomes '\"'), and room for a terminator is always kept: growth is
 * bounded by the size limit.
 *
 * Return: JSON_STREAM_MORE, or JSON_STREAM_ERROR if out of memory
 */
static enum json_stream_event js_put(struct json_stream *js, const char *s,
				     size_t n)
{
	size_t cap;
	char *p;

	if (js->len + n + 1 > js->cap) {
		cap = js->cap ? js->cap : 256;
		while (cap < js->len + n + 1)
			cap *= 2;
		p = realloc(js->buf, cap);
		if (!p)
			return js_error(js, "out of memory for a text");
		js->buf = p;
		js->cap = cap;
	}
	memcpy(js->buf + js->len, s, n);
	js->len += n;
	return JSON_STREAM_MORE;
}

/**
 * js_putc() - Append one normalised byte to the text
 * @js:		lexer
 * @ch:		the byte
 *
 * Return: JSON_STREAM_MORE, or JSON_STREAM_ERROR if out of memory
 */
static enum json_stream_event js_putc(struct json_stream *js, char ch)
{
	return js_put(js, &ch, 1);
}

/**
 * js_complete() - The text is complete
 * @js:		lexer, at depth 0, after a byte was appended
 *
 * Return: JSON_STREAM_TEXT
 */
static enum json_stream_event js_complete(struct json_stream *js)
{
	js->buf[js->len] = '\0';
	js->state = JS_BETWEEN;
	js->done = true;
	return JSON_STREAM_TEXT;
}

/**
 * js_word_end() - A bare word ended: check it
 * @js:		lexer, in a word
 *
 * Return: JSON_STREAM_TEXT if it was a whole text, JSON_STREAM_MORE if it
 * was within one, JSON_STREAM_ERROR if it is no literal nor number
 */
static enum json_stream_event js_word_end(struct json_stream *js)
{
	const char *w = js->buf + js->word;
	size_t n = js->len - js->word;

	if (!word_valid(w, n)) {
		return js_error(js, "invalid %s '%.*s%s'",
				is_alpha(w[0]) ? "keyword" : "number",
				(int)(n > JS_WORD_QUOTED ? JS_WORD_QUOTED : n),
				w, n > JS_WORD_QUOTED ? "..." : "");
	}
	if (!js->depth)
		return js_complete(js);
	js->state = JS_VALUE;
	return JSON_STREAM_MORE;
}

/**
 * js_open() - An object or array opens
 * @js:		lexer
 * @ch:		'{' or '['
 *
 * Return: JSON_STREAM_MORE, or JSON_STREAM_ERROR if nested too deep
 */
static enum json_stream_event js_open(struct json_stream *js, char ch)
{
	if (js->depth == js->max_depth)
		return js_error(js, "nesting deeper than %u levels",
				js->max_depth);
	if (ch == '{')
		js->objects |= 1ULL << js->depth;
	else
		js->objects &= ~(1ULL << js->depth);
	js->depth++;
	js->state = JS_VALUE;
	return js_putc(js, ch);
}

/**
 * js_close() - An object or array closes
 * @js:		lexer
 * @ch:		'}' or ']'
 *
 * Return: JSON_STREAM_TEXT if that completes the text, JSON_STREAM_MORE if
 * not, JSON_STREAM_ERROR if nothing of that kind is open
 */
static enum json_stream_event js_close(struct json_stream *js, char ch)
{
	bool object;

	if (!js->depth)
		return js_error(js, "unexpected '%c'", ch);
	object = js->objects & (1ULL << (js->depth - 1));
	if (object != (ch == '}'))
		return js_error(js, "unexpected '%c' in %s", ch,
				object ? "an object" : "an array");
	js->depth--;
	if (js_putc(js, ch) != JSON_STREAM_MORE)
		return JSON_STREAM_ERROR;
	return js->depth ? JSON_STREAM_MORE : js_complete(js);
}

/**
 * js_value() - A byte outside of strings and words
 * @js:		lexer, in a text or starting one
 * @ch:		the byte
 *
 * Return: the event it causes
 */
static enum json_stream_event js_value(struct json_stream *js, unsigned char ch)
{
	js->state = JS_VALUE;
	switch (ch) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		return js_putc(js, ch);
	case '{':
	case '[':
		return js_open(js, ch);
	case '}':
	case ']':
		return js_close(js, ch);
	case ',':
	case ':':
		if (!js->depth)
			return js_error(js, "unexpected '%c'", ch);
		return js_putc(js, ch);
	case '"':
	case '\'':
		js->quote = ch;
		js->state = JS_STRING;
		return js_putc(js, '"');
	}
	if (is_word(ch)) {
		js->word = js->len;
		js->state = JS_WORD;
		return js_putc(js, ch);
	}
	if (ch > 0x20 && ch < 0x7f)
		return js_error(js, "unexpected '%c'", ch);
	return js_error(js, "stray byte 0x%02x", ch);
}

/**
 * js_string() - A byte of a string, not within an escape or a character
 * @js:		lexer
 * @ch:		the byte
 *
 * Return: the event it causes
 */
static enum json_stream_event js_string(struct json_stream *js,
					unsigned char ch)
{
	unsigned int need;

	if (ch == (unsigned char)js->quote) {
		js->state = JS_VALUE;
		if (js_putc(js, '"') != JSON_STREAM_MORE)
			return JSON_STREAM_ERROR;
		return js->depth ? JSON_STREAM_MORE : js_complete(js);
	}
	if (ch == '\\') {
		js->state = JS_ESCAPE;
		return JSON_STREAM_MORE;
	}
	if (ch < 0x20)
		return js_error(js, "control character 0x%02x in string", ch);
	if (ch == '"') {
		/* In a single-quoted string */
		return js_put(js, "\\\"", 2);
	}
	if (ch >= 0x80) {
		if (!utf8_lead(ch, &need, &js->utf8_lo, &js->utf8_hi))
			return js_error(js, "invalid UTF-8 sequence in string");
		js->utf8_need = need;
		js->state = JS_UTF8;
	}
	return js_putc(js, ch);
}

/**
 * js_utf8() - A continuation byte of a multi-byte character
 * @js:		lexer
 * @ch:		the byte
 *
 * Return: the event it causes
 */
static enum json_stream_event js_utf8(struct json_stream *js, unsigned char ch)
{
	if (ch < js->utf8_lo || ch > js->utf8_hi)
		return js_error(js, "invalid UTF-8 sequence in string");
	js->utf8_lo = 0x80;
	js->utf8_hi = 0xbf;
	if (!--js->utf8_need)
		js->state = JS_STRING;
	return js_putc(js, ch);
}

/**
 * js_escape() - The byte after a backslash in a string
 * @js:		lexer
 * @ch:		the byte
 *
 * Return: the event it causes
 */
static enum json_stream_event js_escape(struct json_stream *js,
					unsigned char ch)
{
	char esc[2] = { '\\', ch };

	js->state = JS_STRING;
	switch (ch) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return js_put(js, esc, 2);
	case '\'':
		/* QEMU's, unknown to RFC 8259: the character itself */
		return js_putc(js, ch);
	case 'u':
		js->hex = 0;
		js->hex_left = 4;
		js->state = JS_HEX;
		return JSON_STREAM_MORE;
	}
	if (ch > 0x20 && ch < 0x7f)
		return js_error(js, "invalid escape '\\%c' in string", ch);
	return js_error(js, "invalid escape sequence in string");
}

/**
 * js_hex() - A digit of a \uXXXX escape
 * @js:		lexer
 * @ch:		the byte
 *
 * Surrogate escapes must come in pairs, high then low, as they stand for
 * one character together; the pair is kept as two escapes.
 *
 * Return: the event it causes
 */
static enum json_stream_event js_hex(struct json_stream *js, unsigned char ch)
{
	int v = hex_value(ch);
	char esc[13];

	if (v < 0)
		return js_error(js, "invalid \\u escape in string");
	js->hex = js->hex << 4 | v;
	if (--js->hex_left)
		return JSON_STREAM_MORE;
	js->state = JS_STRING;
	if (js->high) {
		if (js->hex < 0xdc00 || js->hex > 0xdfff)
			return js_error(js, "lone surrogate \\u%04x in string",
					js->high);
		snprintf(esc, sizeof(esc), "\\u%04x\\u%04x", js->high, js->hex);
		js->high = 0;
	} else if (js->hex >= 0xd800 && js->hex <= 0xdbff) {
		js->high = js->hex;
		js->state = JS_PAIR_BACKSLASH;
		return JSON_STREAM_MORE;
	} else if (js->hex >= 0xdc00 && js->hex <= 0xdfff) {
		return js_error(js, "lone surrogate \\u%04x in string",
				js->hex);
	} else {
		snprintf(esc, sizeof(esc), "\\u%04x", js->hex);
	}
	return js_put(js, esc, strlen(esc));
}

/**
 * js_pair() - What follows a high surrogate escape
 * @js:		lexer, awaiting '\' or 'u'
 * @ch:		the byte
 *
 * Return: the event it causes
 */
static enum json_stream_event js_pair(struct json_stream *js, unsigned char ch)
{
	if (js->state == JS_PAIR_BACKSLASH && ch == '\\') {
		js->state = JS_PAIR_U;
		return JSON_STREAM_MORE;
	}
	if (js->state == JS_PAIR_U && ch == 'u') {
		js->hex = 0;
		js->hex_left = 4;
		js->state = JS_HEX;
		return JSON_STREAM_MORE;
	}
	return js_error(js, "lone surrogate \\u%04x in string", js->high);
}

/**
 * js_byte() - Lex one byte
 * @js:		lexer
 * @ch:		the byte
 * @consumed:	set to false if the byte must be fed again: it ended a word,
 *		or is at fault (recovery looks at it)
 *
 * Return: the event it causes
 */
static enum json_stream_event js_byte(struct json_stream *js, unsigned char ch,
				      bool *consumed)
{
	enum json_stream_event ev;

	*consumed = true;
	switch (js->state) {
	case JS_RECOVER:
		if (ch == '\n' || ch == '\r' || is_reset(ch))
			js->state = JS_BETWEEN;
		return JSON_STREAM_MORE;
	case JS_BETWEEN:
		/* Nothing to reset between texts */
		if (is_space(ch) || is_reset(ch))
			return JSON_STREAM_MORE;
		js_clear(js, JS_VALUE);
		break;
	case JS_WORD:
		if (is_word(ch))
			break;
		ev = js_word_end(js);
		if (ev != JSON_STREAM_MORE) {
			*consumed = false;
			return ev;
		}
		break;
	}
	if (js->in_bytes == js->max_bytes) {
		js_clear(js, JS_RECOVER);
		*consumed = false;
		return JSON_STREAM_TOO_LONG;
	}
	js->in_bytes++;

	switch (js->state) {
	case JS_VALUE:
		ev = js_value(js, ch);
		break;
	case JS_WORD:
		ev = js_putc(js, ch);
		break;
	case JS_STRING:
		ev = js_string(js, ch);
		break;
	case JS_UTF8:
		ev = js_utf8(js, ch);
		break;
	case JS_ESCAPE:
		ev = js_escape(js, ch);
		break;
	case JS_HEX:
		ev = js_hex(js, ch);
		break;
	default:
		ev = js_pair(js, ch);
		break;
	}
	if (ev == JSON_STREAM_ERROR)
		*consumed = false;
	return ev;
}

/**
 * json_stream_feed() - Lex input up to the next event
 * @js:		lexer
 * @buf:	input
 * @len:	its length
 * @used:	set to the number of bytes used; feed the rest again after
 *		handling an event
 *
 * A text reported stays available until the next call.
 *
 * Return: JSON_STREAM_MORE once all of @buf is used, or the event that
 * stopped the lexer
 */
enum json_stream_event json_stream_feed(struct json_stream *js, const char *buf,
					size_t len, size_t *used)
{
	enum json_stream_event ev;
	bool consumed;
	size_t i;

	if (js->done)
		js_clear(js, JS_BETWEEN);
	for (i = 0; i < len; i++) {
		ev = js_byte(js, (unsigned char)buf[i], &consumed);
		if (ev != JSON_STREAM_MORE) {
			*used = i + consumed;
			return ev;
		}
	}
	*used = len;
	return JSON_STREAM_MORE;
}

/**
 * json_stream_flush() - The input ended: complete a pending bare word
 * @js:		lexer
 *
 * A word at the top level needs the byte after it to end (QEMU's
 * json_lexer_flush()); anything else unfinished stays unfinished.
 *
 * Return: JSON_STREAM_TEXT, JSON_STREAM_ERROR, or JSON_STREAM_MORE if no
 * word was pending
 */
enum json_stream_event json_stream_flush(struct json_stream *js)
{
	if (js->done)
		js_clear(js, JS_BETWEEN);
	if (js->state != JS_WORD || js->depth)
		return JSON_STREAM_MORE;
	return js_word_end(js);
}

/**
 * json_stream_text() - The text json_stream_feed() reported complete
 * @js:		lexer
 * @len:	set to its length
 *
 * Return: the text, normalised to RFC 8259 and NUL-terminated, or NULL if
 * none is complete
 */
const char *json_stream_text(const struct json_stream *js, size_t *len)
{
	if (!js->done)
		return NULL;
	*len = js->len;
	return js->buf;
}

/**
 * json_stream_error() - What the last JSON_STREAM_ERROR was about
 * @js:		lexer
 *
 * Return: a description, such as "invalid UTF-8 sequence in string"
 */
const char *json_stream_error(const struct json_stream *js)
{
	return js->error;
}

/**
 * json_stream_recover() - Drop input up to the next line end or reset byte
 * @js:		lexer
 *
 * For errors found in a complete text by the parser, handled as lexical
 * errors are.
 */
void json_stream_recover(struct json_stream *js)
{
	js_clear(js, JS_RECOVER);
}

/**
 * json_stream_init() - Set up a lexer, between texts
 * @js:		lexer
 * @max_bytes:	most bytes of input in one text
 * @max_depth:	most levels of nesting in one text, at most
 *		JSON_STREAM_MAX_DEPTH
 */
void json_stream_init(struct json_stream *js, size_t max_bytes,
		      unsigned int max_depth)
{
	memset(js, 0, sizeof(*js));
	js->max_bytes = max_bytes;
	js->max_depth = max_depth < JSON_STREAM_MAX_DEPTH
				? max_depth
				: JSON_STREAM_MAX_DEPTH;
	js_clear(js, JS_BETWEEN);
}

/**
 * json_stream_fini() - Free what a lexer holds
 * @js:		lexer
 */
void json_stream_fini(struct json_stream *js)
{
	free(js->buf);
	js->buf = NULL;
	js->len = js->cap = 0;
}
