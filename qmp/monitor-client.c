/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP client connections: the greeting, the stream of JSON requests, their
 * checks and dispatch, and the bounded output buffer.
 *
 * Input is a byte stream that our lexer (qmp/json-stream.h) splits into
 * JSON texts, checking every token as the bytes arrive, whatever the reads
 * they came in: strings must be valid UTF-8 without raw control characters
 * or lone surrogate escapes, as QEMU's parser wants them. json-c then
 * builds each complete text, in strict mode, which leaves it the grammar.
 * A text longer than QMP_MAX_REQUEST_BYTES is refused and the connection
 * closed, so no client makes us buffer without bound.
 *
 * Parse errors are answered with a GenericError without "id", then input is
 * dropped up to the next line end or ASCII control character (other than
 * tab), outside of any string, which resynchronises a client as QEMU's JSON
 * lexer does. A control character other than tab, CR and LF, or a
 * 0xFE/0xFF byte, inside a text is how a client forces such a reset
 * (qmp-spec): it ends the text with an error at once. Between texts those
 * bytes are ignored, as there is nothing to reset.
 *
 * Output is ASCII, as QEMU's: every other character is written as a \uXXXX
 * escape, and bytes that are not valid UTF-8 (a handler's file name, say)
 * as U+FFFD, so a client never reads invalid UTF-8. It never blocks: what
 * the socket does not take waits in a buffer of at most
 * QMP_MAX_OUTPUT_BYTES, and a client that lets it overflow is disconnected.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmp/monitor-int.h"
#include "util/log.h"

/* Compile arguments of the program libraries; unit tests may lack them */
#ifndef QD_VERSION
#define QD_VERSION "0.0.0"
#endif
#ifndef QD_PROGRAM_NAME
#define QD_PROGRAM_NAME "qemu-dev"
#endif

/* Bytes read from a client per wake-up, so that others get their turn */
#define QMP_READ_CHUNK 16384
/* Initial size of an output buffer */
#define QMP_OUT_MIN 4096
/*
 * Unread input discarded before a close: a UNIX socket closed with unread
 * data makes the peer's read fail with ECONNRESET instead of returning our
 * last message and then EOF.
 */
#define QMP_CLOSE_DRAIN_BYTES (256 * 1024)

/**
 * qmp_client_has_output() - Whether output waits to be written
 * @c:		client
 *
 * Return: true if some output is not written yet
 */
bool qmp_client_has_output(const struct qmp_client *c)
{
	return c->out_end > c->out_start;
}

/**
 * qmp_client_is_negotiated() - Whether the client left negotiation mode
 * @c:		client
 *
 * Return: true once qmp_capabilities succeeded
 */
bool qmp_client_is_negotiated(const struct qmp_client *c)
{
	return c->negotiated;
}

/**
 * qmp_client_negotiated() - Leave capabilities negotiation mode
 * @client:	client, on the monitor thread (a command handler)
 *
 * Return: false if the client had left it already
 */
bool qmp_client_negotiated(struct qmp_client *client)
{
	if (client->negotiated)
		return false;
	client->negotiated = true;
	return true;
}

/**
 * qmp_client_watch() - Ask epoll for the events the client's state needs
 * @c:		client, not closed
 */
static void qmp_client_watch(struct qmp_client *c)
{
	struct epoll_event ev = { .data.ptr = c };
	uint32_t want = 0;

	if (c->reading)
		want |= EPOLLIN;
	if (qmp_client_has_output(c))
		want |= EPOLLOUT;
	if (want == c->watching)
		return;
	ev.events = want;
	if (epoll_ctl(c->listener->mon->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		log_warn("QMP client %lu: epoll: %s: disconnecting", c->serial,
			 strerror(errno));
		qmp_client_close(c);
		return;
	}
	c->watching = want;
}

/**
 * qmp_client_close() - Close the connection now; the monitor frees it later
 * @c:		client; nothing happens if already closed
 *
 * Unread input is discarded first (bounded) so that the peer reads what was
 * sent to it, then EOF.
 */
void qmp_client_close(struct qmp_client *c)
{
	size_t drained = 0;
	char buf[4096];
	ssize_t n;

	if (c->dead)
		return;
	epoll_ctl(c->listener->mon->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	while (drained < QMP_CLOSE_DRAIN_BYTES) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		drained += n;
	}
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	c->reading = false;
	c->listener->n_clients--;
	json_tokener_free(c->tok);
	c->tok = NULL;
	json_stream_fini(&c->lexer);
	free(c->out);
	c->out = NULL;
	c->out_start = c->out_end = c->out_cap = 0;
	log_debug("QMP client %lu disconnected", c->serial);
}

/**
 * qmp_client_free() - Free a client closed by qmp_client_close()
 * @c:		client, may be NULL
 */
void qmp_client_free(struct qmp_client *c)
{
	if (!c)
		return;
	qmp_client_close(c);
	free(c);
}

/**
 * qmp_client_flush() - Write what the socket takes of the pending output
 * @c:		client, not closed
 *
 * A closing client is closed once its output is written.
 */
static void qmp_client_flush(struct qmp_client *c)
{
	ssize_t n;

	while (qmp_client_has_output(c)) {
		n = send(c->fd, c->out + c->out_start,
			 c->out_end - c->out_start,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			log_debug("QMP client %lu: write: %s", c->serial,
				  strerror(errno));
			qmp_client_close(c);
			return;
		}
		c->out_start += n;
	}
	if (!qmp_client_has_output(c)) {
		c->out_start = c->out_end = 0;
		if (c->closing) {
			qmp_client_close(c);
			return;
		}
	}
	qmp_client_watch(c);
}

/**
 * qmp_client_reserve() - Make room for @len more bytes of output
 * @c:		client, not closed
 * @len:	bytes to append
 *
 * A client whose unwritten output would exceed QMP_MAX_OUTPUT_BYTES does
 * not read what it is sent: it is disconnected rather than buffered for.
 *
 * Return: true if there is room, false if the client was closed
 */
static bool qmp_client_reserve(struct qmp_client *c, size_t len)
{
	size_t pending = c->out_end - c->out_start, cap;
	char *p;

	if (len > QMP_MAX_OUTPUT_BYTES - pending) {
		log_warn("QMP client %lu: more than %d bytes of output not "
			 "read: disconnecting",
			 c->serial, QMP_MAX_OUTPUT_BYTES);
		qmp_client_close(c);
		return false;
	}
	if (c->out_end + len <= c->out_cap)
		return true;
	if (c->out_start) {
		memmove(c->out, c->out + c->out_start, pending);
		c->out_start = 0;
		c->out_end = pending;
		if (pending + len <= c->out_cap)
			return true;
	}
	cap = c->out_cap ? c->out_cap : QMP_OUT_MIN;
	while (cap < pending + len)
		cap *= 2;
	if (cap > QMP_MAX_OUTPUT_BYTES)
		cap = QMP_MAX_OUTPUT_BYTES;
	p = realloc(c->out, cap);
	if (!p) {
		log_warn("QMP client %lu: out of memory for output: "
			 "disconnecting",
			 c->serial);
		qmp_client_close(c);
		return false;
	}
	c->out = p;
	c->out_cap = cap;
	return true;
}

/**
 * qmp_u_escape() - Write a \uXXXX escape
 * @out:	where, 6 bytes
 * @v:		the UTF-16 code unit
 */
static void qmp_u_escape(char *out, unsigned int v)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'u';
	out[2] = hex[(v >> 12) & 0xf];
	out[3] = hex[(v >> 8) & 0xf];
	out[4] = hex[(v >> 4) & 0xf];
	out[5] = hex[v & 0xf];
}

/**
 * qmp_wire_char() - One character of a message as it goes on the wire
 * @text:	the rest of the message
 * @len:	its length, at least 1
 * @out:	where to write the bytes (at most 12), or NULL to count them
 * @n:		set to their number
 *
 * A line end becomes CRLF; a non-ASCII character, which JSON has only
 * within strings, a \uXXXX escape (a surrogate pair above U+FFFF); a byte
 * that is not valid UTF-8, \ufffd.
 *
 * Return: the bytes of @text used
 */
static size_t qmp_wire_char(const char *text, size_t len, char *out, size_t *n)
{
	uint32_t cp;
	size_t used;

	if (*text == '\n') {
		*n = 2;
		if (out)
			memcpy(out, "\r\n", 2);
		return 1;
	}
	if (!(*text & 0x80)) {
		*n = 1;
		if (out)
			*out = *text;
		return 1;
	}
	used = json_utf8_char(text, len, &cp);
	if (!used) {
		cp = 0xfffd;
		used = 1;
	}
	*n = cp > 0xffff ? 12 : 6;
	if (!out)
		return used;
	if (cp > 0xffff) {
		cp -= 0x10000;
		qmp_u_escape(out, 0xd800 + (cp >> 10));
		qmp_u_escape(out + 6, 0xdc00 + (cp & 0x3ff));
	} else {
		qmp_u_escape(out, cp);
	}
	return used;
}

/**
 * qmp_client_send_text() - Queue one message and write what the socket takes
 * @c:		client; nothing happens if closed
 * @text:	one JSON text (pretty ones hold newlines)
 * @len:	its length
 *
 * The message ends with CRLF, and so does every line of a pretty one, as
 * QEMU's monitor writes them; it goes out in ASCII (qmp_wire_char()).
 */
void qmp_client_send_text(struct qmp_client *c, const char *text, size_t len)
{
	size_t i, n, size = 2;
	char *p;

	if (c->dead)
		return;
	for (i = 0; i < len; size += n)
		i += qmp_wire_char(text + i, len - i, NULL, &n);
	if (!qmp_client_reserve(c, size))
		return;
	p = c->out + c->out_end;
	for (i = 0; i < len; p += n)
		i += qmp_wire_char(text + i, len - i, p, &n);
	*p++ = '\r';
	*p++ = '\n';
	c->out_end = p - c->out;
	qmp_client_flush(c);
}

/**
 * qmp_client_send() - Queue one message
 * @c:		client; nothing happens if closed
 * @msg:	the message (not consumed)
 */
static void qmp_client_send(struct qmp_client *c, json_object *msg)
{
	int flags = c->listener->pretty ? QMP_JSON_PRETTY : QMP_JSON_PLAIN;
	size_t len;
	const char *text;

	text = json_object_to_json_string_length(msg, flags, &len);
	if (!text) {
		log_warn("QMP client %lu: out of memory for a message: "
			 "disconnecting",
			 c->serial);
		qmp_client_close(c);
		return;
	}
	qmp_client_send_text(c, text, len);
}

/**
 * qmp_client_send_error() - Send an error response
 * @c:		client
 * @err:	the error: class (error_get_code()) and message
 * @has_id:	whether the request had an "id" member
 * @id:		its value (NULL is JSON null)
 */
static void qmp_client_send_error(struct qmp_client *c, const struct error *err,
				  bool has_id, json_object *id)
{
	json_object *rsp = json_object_new_object();
	json_object *e = json_object_new_object();

	if (!rsp || !e) {
		json_object_put(rsp);
		json_object_put(e);
		qmp_client_close(c);
		return;
	}
	json_object_object_add(e, "class",
			       json_object_new_string(qmp_error_class_name(
				       error_get_code(err))));
	json_object_object_add(e, "desc",
			       json_object_new_string(error_get_pretty(err)));
	json_object_object_add(rsp, "error", e);
	if (has_id)
		json_object_object_add(rsp, "id", json_object_get(id));
	qmp_client_send(c, rsp);
	json_object_put(rsp);
}

/**
 * qmp_client_send_return() - Send a success response
 * @c:		client
 * @ret:	the value (reference taken over), or NULL for {}
 * @has_id:	whether the request had an "id" member
 * @id:		its value (NULL is JSON null)
 */
static void qmp_client_send_return(struct qmp_client *c, json_object *ret,
				   bool has_id, json_object *id)
{
	json_object *rsp = json_object_new_object();

	if (!ret)
		ret = json_object_new_object();
	if (!rsp || !ret) {
		json_object_put(rsp);
		json_object_put(ret);
		qmp_client_close(c);
		return;
	}
	json_object_object_add(rsp, "return", ret);
	if (has_id)
		json_object_object_add(rsp, "id", json_object_get(id));
	qmp_client_send(c, rsp);
	json_object_put(rsp);
}

/**
 * qmp_check_request() - QEMU's checks of a request object, in its order
 * @req:	the request, an object
 * @args:	set to its "arguments" member if it has one
 * @errp:	GenericError with QEMU's text for the first member at fault
 *
 * Return: the command name, or NULL
 */
static const char *qmp_check_request(json_object *req, json_object **args,
				     struct error **errp)
{
	const char *name = NULL;

	/* Members in the order they came, as QEMU reports the first bad one */
	json_object_object_foreach(req, key, val)
	{
		if (!strcmp(key, "execute")) {
			if (!json_object_is_type(val, json_type_string)) {
				error_setg(errp, "QMP input member 'execute' "
						 "must be a string");
				return NULL;
			}
			name = json_object_get_string(val);
		} else if (!strcmp(key, "arguments")) {
			if (!json_object_is_type(val, json_type_object)) {
				error_setg(errp, "QMP input member 'arguments' "
						 "must be an object");
				return NULL;
			}
			*args = val;
		} else if (strcmp(key, "id")) {
			/* exec-oob too: the oob capability is never offered */
			error_setg(errp, "QMP input member '%s' is unexpected",
				   key);
			return NULL;
		}
	}
	if (!name)
		error_setg(errp, "QMP input lacks member 'execute'");
	return name;
}

/**
 * qmp_client_run() - Find and run the command of a checked request
 * @c:		client
 * @name:	command name
 * @args:	its "arguments", or NULL
 * @ret:	set to what the command returns (may stay NULL)
 * @errp:	set on failure, with a class
 *
 * Return: true on success
 */
static bool qmp_client_run(struct qmp_client *c, const char *name,
			   json_object *args, json_object **ret,
			   struct error **errp)
{
	struct qmp_request r = {
		.target = c->listener->mon->target,
		.client = c,
	};
	const struct qmp_command *cmd = qmp_command_find(name);
	struct error *err = NULL;
	bool ok;

	/* QEMU's negotiation-mode table holds only qmp_capabilities */
	if (!c->negotiated && (!cmd || strcmp(cmd->name, "qmp_capabilities"))) {
		error_setg(errp, "Expecting capabilities negotiation with "
				 "'qmp_capabilities'");
		error_set_code(errp, QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
		return false;
	}
	if (!cmd) {
		error_setg(errp, "The command %s has not been found", name);
		error_set_code(errp, QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
		return false;
	}
	args = args ? json_object_get(args) : json_object_new_object();
	if (!args) {
		error_setg(errp, "out of memory for the arguments of %s", name);
		return false;
	}
	ok = cmd->dispatch(&r, args, ret, &err);
	json_object_put(args);
	if (ok) {
		/* A handler that sets an error and succeeds: keep the result */
		if (err)
			log_warn("QMP command %s succeeded with an error: %s",
				 name, error_get_pretty(err));
		error_free(err);
		return true;
	}
	json_object_put(*ret);
	*ret = NULL;
	if (!err)
		error_setg(&err, "command %s failed", name);
	error_propagate(errp, err);
	return false;
}

/**
 * qmp_client_request() - Answer one JSON text from the client
 * @c:		client
 * @req:	the text parsed (NULL for JSON null)
 *
 * Events emitted before the command ran, or by it, are sent before its
 * answer: an event a command causes precedes the command's "return".
 */
static void qmp_client_request(struct qmp_client *c, json_object *req)
{
	struct qmp_monitor *mon = c->listener->mon;
	json_object *id = NULL, *args = NULL, *ret = NULL;
	struct error *err = NULL;
	bool has_id = false;
	const char *name;

	qmp_monitor_deliver_events(mon);
	if (c->dead)
		return;
	if (!json_object_is_type(req, json_type_object)) {
		error_setg(&err, "QMP input must be a JSON object");
	} else {
		has_id = json_object_object_get_ex(req, "id", &id);
		name = qmp_check_request(req, &args, &err);
		if (name)
			qmp_client_run(c, name, args, &ret, &err);
	}
	qmp_monitor_deliver_events(mon);
	if (c->dead) {
		json_object_put(ret);
	} else if (err) {
		qmp_client_send_error(c, err, has_id, id);
	} else {
		qmp_client_send_return(c, ret, has_id, id);
	}
	error_free(err);
}

/**
 * qmp_client_begin_close() - Read nothing more; close once output is written
 * @c:		client
 *
 * A client that does not read that last output is closed after
 * QMP_CLOSE_TIMEOUT_MS by the monitor thread.
 */
static void qmp_client_begin_close(struct qmp_client *c)
{
	if (c->dead || c->closing)
		return;
	c->closing = true;
	c->close_by_ms = qmp_now_ms() + QMP_CLOSE_TIMEOUT_MS;
	qmp_client_stop_reading(c);
}

/**
 * qmp_client_stop_reading() - Read no more input from the client
 * @c:		client
 */
void qmp_client_stop_reading(struct qmp_client *c)
{
	if (c->dead)
		return;
	c->reading = false;
	qmp_client_flush(c);
}

/**
 * qmp_client_parse_error() - Answer a JSON parse error
 * @c:		client
 * @what:	what was wrong
 */
static void qmp_client_parse_error(struct qmp_client *c, const char *what)
{
	struct error *err = NULL;

	error_setg(&err, "JSON parse error, %s", what);
	qmp_client_send_error(c, err, false, NULL);
	error_free(err);
}

/**
 * qmp_client_too_long() - Refuse a text over QMP_MAX_REQUEST_BYTES; close
 * @c:		client
 */
static void qmp_client_too_long(struct qmp_client *c)
{
	struct error *err = NULL;

	log_warn("QMP client %lu: a request exceeds %d bytes: disconnecting",
		 c->serial, QMP_MAX_REQUEST_BYTES);
	error_setg(&err, "QMP input exceeds %d bytes", QMP_MAX_REQUEST_BYTES);
	qmp_client_send_error(c, err, false, NULL);
	error_free(err);
	qmp_client_begin_close(c);
}

/**
 * qmp_client_text() - Build and answer a complete JSON text
 * @c:		client
 *
 * The lexer checked every token and the nesting; json-c, strict, checks
 * the grammar. A text it refuses is a parse error like a lexical one: the
 * rest of the line is dropped.
 */
static void qmp_client_text(struct qmp_client *c)
{
	enum json_tokener_error jerr;
	json_object *obj;
	const char *text;
	size_t len;

	text = json_stream_text(&c->lexer, &len);
	json_tokener_reset(c->tok);
	/* With its NUL: json-c needs the end of a number at the top level */
	obj = json_tokener_parse_ex(c->tok, text, (int)len + 1);
	jerr = json_tokener_get_error(c->tok);
	if (jerr == json_tokener_success &&
	    json_tokener_get_parse_end(c->tok) < len) {
		json_object_put(obj);
		jerr = json_tokener_error_parse_unexpected;
	}
	if (jerr == json_tokener_continue) {
		/* A complete text for the lexer is one for json-c too */
		jerr = json_tokener_error_parse_eof;
	}
	if (jerr != json_tokener_success) {
		json_stream_recover(&c->lexer);
		qmp_client_parse_error(c, json_tokener_error_desc(jerr));
		return;
	}
	qmp_client_request(c, obj);
	json_object_put(obj);
}

/**
 * qmp_client_event() - Handle what the lexer stopped at
 * @c:		client
 * @ev:		the lexer's event
 */
static void qmp_client_event(struct qmp_client *c, enum json_stream_event ev)
{
	switch (ev) {
	case JSON_STREAM_MORE:
		break;
	case JSON_STREAM_TEXT:
		qmp_client_text(c);
		break;
	case JSON_STREAM_ERROR:
		qmp_client_parse_error(c, json_stream_error(&c->lexer));
		break;
	case JSON_STREAM_TOO_LONG:
		qmp_client_too_long(c);
		break;
	}
}

/**
 * qmp_client_input() - Parse and answer what the client sent
 * @c:		client
 * @buf:	bytes read
 * @len:	their number
 */
static void qmp_client_input(struct qmp_client *c, const char *buf, size_t len)
{
	size_t off = 0, used;

	while (off < len && c->reading) {
		qmp_client_event(c, json_stream_feed(&c->lexer, buf + off,
						     len - off, &used));
		off += used;
	}
}

/**
 * qmp_client_read() - Read and handle one chunk of input
 * @c:		client, reading
 */
static void qmp_client_read(struct qmp_client *c)
{
	char buf[QMP_READ_CHUNK];
	ssize_t n;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		log_debug("QMP client %lu: read: %s", c->serial,
			  strerror(errno));
		qmp_client_close(c);
		return;
	}
	if (n == 0) {
		/*
		 * It may have shut down only its side: answer, then close. A
		 * number or literal at the end was complete.
		 */
		qmp_client_event(c, json_stream_flush(&c->lexer));
		qmp_client_begin_close(c);
		return;
	}
	qmp_client_input(c, buf, n);
}

/**
 * qmp_client_ready() - Handle what epoll reported for the client
 * @c:		client, not closed
 * @events:	epoll events
 */
void qmp_client_ready(struct qmp_client *c, uint32_t events)
{
	if (events & EPOLLOUT)
		qmp_client_flush(c);
	if (c->dead)
		return;
	if (c->reading && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		qmp_client_read(c);
	else if (events & (EPOLLHUP | EPOLLERR))
		qmp_client_close(c);
}

/**
 * qmp_greeting() - The greeting: version and offered capabilities
 *
 * Return: the message, or NULL if out of memory
 */
static json_object *qmp_greeting(void)
{
	json_object *msg, *qmp, *version, *triple;
	int v[3] = { 0, 0, 0 };

	/* "X.Y.Z"; a missing or odd version reads as 0.0.0 */
	if (sscanf(QD_VERSION, "%d.%d.%d", &v[0], &v[1], &v[2]) != 3)
		v[0] = v[1] = v[2] = 0;
	msg = json_object_new_object();
	qmp = json_object_new_object();
	version = json_object_new_object();
	triple = json_object_new_object();
	if (!msg || !qmp || !version || !triple) {
		json_object_put(msg);
		json_object_put(qmp);
		json_object_put(version);
		json_object_put(triple);
		return NULL;
	}
	json_object_object_add(triple, "major", json_object_new_int(v[0]));
	json_object_object_add(triple, "minor", json_object_new_int(v[1]));
	json_object_object_add(triple, "micro", json_object_new_int(v[2]));
	json_object_object_add(version, "qemu", triple);
	json_object_object_add(version, "package",
			       json_object_new_string(QD_PROGRAM_NAME));
	json_object_object_add(qmp, "version", version);
	/* No oob: commands run one at a time, in order */
	json_object_object_add(qmp, "capabilities", json_object_new_array());
	json_object_object_add(msg, "QMP", qmp);
	return msg;
}

/**
 * qmp_client_new() - Set up an accepted connection and greet it
 * @l:		listening socket it came from
 * @fd:		the connection, non-blocking; closed on failure
 * @errp:	set on failure
 *
 * Return: the client, in negotiation mode, or NULL
 */
struct qmp_client *qmp_client_new(struct qmp_listener *l, int fd,
				  struct error **errp)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct qmp_client *c = calloc(1, sizeof(*c));
	json_object *greeting;

	if (!c || !(c->tok = json_tokener_new_ex(QMP_MAX_NESTING))) {
		error_setg(errp, "QMP monitor '%s': out of memory for a client",
			   l->chardev_id);
		free(c);
		close(fd);
		return NULL;
	}
	json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT |
					       JSON_TOKENER_VALIDATE_UTF8);
	json_stream_init(&c->lexer, QMP_MAX_REQUEST_BYTES, QMP_MAX_NESTING);
	c->kind = QMP_WATCH_CLIENT;
	c->listener = l;
	c->fd = fd;
	c->serial = ++l->mon->next_serial;
	c->reading = true;
	ev.data.ptr = c;
	if (epoll_ctl(l->mon->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		error_setg_errno(errp, errno, "QMP monitor '%s': epoll",
				 l->chardev_id);
		json_tokener_free(c->tok);
		free(c);
		close(fd);
		return NULL;
	}
	c->watching = EPOLLIN;
	l->n_clients++;
	log_debug("QMP client %lu connected to monitor '%s'", c->serial,
		  l->chardev_id);

	greeting = qmp_greeting();
	if (greeting)
		qmp_client_send(c, greeting);
	else
		qmp_client_close(c);
	json_object_put(greeting);
	return c;
}
