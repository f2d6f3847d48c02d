/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit test of the C code scripts/qapi-gen.py generates from test-schema.json.
 *
 * Unmarshalling refuses hostile arguments with QEMU's messages (unknown,
 * missing and mistyped members, bad enum values, out-of-range integers, with
 * the path of nested members) and frees what it built; marshalling gives
 * back what was read; dispatch functions check arguments, call handlers and
 * build replies; emitters hand events to qmp_event_emit().
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "qmp-gen.h"

/* What the stub qmp_event_emit() saw last */
static char *last_event;
static char *last_event_data;

/**
 * qmp_event_emit() - Stub of the monitor's: record the event
 * @name:	event name
 * @data:	its data, or NULL (reference taken over)
 */
void qmp_event_emit(const char *name, json_object *data)
{
	g_free(last_event);
	g_free(last_event_data);
	last_event = g_strdup(name);
	last_event_data = data ? g_strdup(json_object_to_json_string_ext(
					 data, JSON_C_TO_STRING_PLAIN))
			       : NULL;
	json_object_put(data);
}

/**
 * qmp_cmd_test_all() - Stub handler: echo the argument
 * @req:	the request
 * @args:	the arguments
 * @ret:	the reply, a copy of @args
 * @errp:	unused
 *
 * Return: true unless the copy fails
 */
bool qmp_cmd_test_all(struct qmp_request *req, const struct qmp_test_all *args,
		      struct qmp_test_all *ret, struct error **errp)
{
	json_object *obj = qmp_marshal_test_all(args);
	bool ok = obj && qmp_unmarshal_test_all(obj, "", ret, errp);

	json_object_put(obj);
	return ok;
}

/**
 * qmp_cmd_test_list() - Stub handler: @args->n entries
 * @req:	the request
 * @args:	the arguments
 * @ret:	the entries, calloc'ed
 * @n_ret:	their number
 * @errp:	unused
 *
 * Return: true
 */
bool qmp_cmd_test_list(struct qmp_request *req,
		       const struct qmp_test_list_args *args,
		       struct qmp_test_inner **ret, size_t *n_ret,
		       struct error **errp)
{
	size_t i;

	*ret = calloc(args->n ? args->n : 1, sizeof(**ret));
	g_assert_nonnull(*ret);
	*n_ret = args->n;
	for (i = 0; i < args->n; i++) {
		(*ret)[i].size = (uint8_t)i;
		(*ret)[i].name = strdup("entry");
		(*ret)[i].has_color = i == 1;
		(*ret)[i].color = QMP_TEST_COLOR_LIGHT_BLUE;
	}
	return true;
}

/**
 * qmp_cmd_test_nothing() - Stub handler: succeed
 * @req:	the request
 * @errp:	unused
 *
 * Return: true
 */
bool qmp_cmd_test_nothing(struct qmp_request *req, struct error **errp)
{
	return true;
}

/**
 * qmp_cmd_test_fail() - Stub handler: fail, with an error or without one
 * @req:	the request
 * @args:	the arguments
 * @errp:	set when @args->with_error
 *
 * Return: false
 */
bool qmp_cmd_test_fail(struct qmp_request *req,
		       const struct qmp_test_fail_args *args,
		       struct error **errp)
{
	if (args->has_with_error && args->with_error) {
		error_setg(errp, "device 'x' not found");
		error_set_code(errp, QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
	}
	return false;
}

/**
 * qmp_cmd_test_only_x() - Stub handler of a command the table must not have
 * @req:	the request
 * @errp:	unused
 *
 * Return: true
 */
bool qmp_cmd_test_only_x(struct qmp_request *req, struct error **errp)
{
	g_assert_not_reached();
	return true;
}

/**
 * qmp_cmd_test_raw() - Stub handler of a 'gen': False command: return @args
 * @req:	the request
 * @args:	the arguments, as given
 * @ret:	a new reference to @args
 * @errp:	unused
 *
 * Return: true
 */
bool qmp_cmd_test_raw(struct qmp_request *req, json_object *args,
		      json_object **ret, struct error **errp)
{
	*ret = json_object_get(args);
	return true;
}

static const char all_json[] =
	"{\"id\":\"x0\",\"i\":-5,\"i8\":-128,\"i16\":32767,\"i32\":-2147483648,"
	"\"i64\":-9223372036854775808,\"u8\":255,\"u16\":65535,"
	"\"u32\":4294967295,\"u64\":18446744073709551615,\"sz\":4096,"
	"\"num\":1.5,\"flag\":true,\"blob\":{\"a\":[1,null]},\"color\":"
	"\"light-blue\",\"inner\":{\"size\":7,\"name\":\"in\"},"
	"\"queues\":[{\"size\":0,\"name\":\"q0\"},{\"size\":1,\"name\":\"q1\","
	"\"color\":\"green\"}],\"names\":[\"a\",\"b\"],\"opt-int\":3,"
	"\"default\":\"d\",\"anys\":[null,1,\"s\"],\"colors\":[\"red\"],"
	"\"ints\":[1,2]}";

/**
 * parse() - Parse test JSON, failing the test if it is not JSON
 * @text:	JSON text
 *
 * Return: the value (NULL for null)
 */
static json_object *parse(const char *text)
{
	enum json_tokener_error jerr;
	json_object *obj = json_tokener_parse_verbose(text, &jerr);

	g_assert_cmpint(jerr, ==, json_tokener_success);
	return obj;
}

/**
 * with_member() - all_json with member @name replaced by @value
 * @name:	member to replace or add
 * @value:	its new JSON value, or NULL to remove it
 *
 * Return: a new object
 */
static json_object *with_member(const char *name, const char *value)
{
	json_object *obj = parse(all_json);

	if (value)
		json_object_object_add(obj, name, parse(value));
	else
		json_object_object_del(obj, name);
	return obj;
}

static void test_unmarshal(void)
{
	json_object *obj = parse(all_json), *back;
	struct qmp_test_all v;
	struct error *err = NULL;

	g_assert_true(qmp_unmarshal_test_all(obj, "", &v, &err));
	g_assert_null(err);
	g_assert_cmpstr(v.id, ==, "x0");
	g_assert_cmpint(v.i, ==, -5);
	g_assert_cmpint(v.i8, ==, INT8_MIN);
	g_assert_cmpint(v.i16, ==, INT16_MAX);
	g_assert_cmpint(v.i32, ==, INT32_MIN);
	g_assert_true(v.i64 == INT64_MIN);
	g_assert_cmpuint(v.u8, ==, UINT8_MAX);
	g_assert_cmpuint(v.u16, ==, UINT16_MAX);
	g_assert_cmpuint(v.u32, ==, UINT32_MAX);
	g_assert_true(v.u64 == UINT64_MAX);
	g_assert_cmpuint(v.sz, ==, 4096);
	g_assert_cmpfloat(v.num, ==, 1.5);
	g_assert_true(v.flag);
	g_assert_true(json_object_is_type(v.blob, json_type_object));
	g_assert_cmpint(v.color, ==, QMP_TEST_COLOR_LIGHT_BLUE);
	g_assert_cmpuint(v.inner.size, ==, 7);
	g_assert_false(v.inner.has_color);
	g_assert_cmpuint(v.n_queues, ==, 2);
	g_assert_cmpstr(v.queues[1].name, ==, "q1");
	g_assert_true(v.queues[1].has_color);
	g_assert_cmpint(v.queues[1].color, ==, QMP_TEST_COLOR_GREEN);
	g_assert_true(v.has_names);
	g_assert_cmpuint(v.n_names, ==, 2);
	g_assert_cmpstr(v.names[1], ==, "b");
	g_assert_true(v.has_opt_int);
	g_assert_cmpint(v.opt_int, ==, 3);
	g_assert_cmpstr(v.default_, ==, "d");
	g_assert_cmpuint(v.n_anys, ==, 3);
	g_assert_null(v.anys[0]);
	g_assert_cmpuint(v.n_colors, ==, 1);
	g_assert_cmpuint(v.n_ints, ==, 2);
	g_assert_cmpuint(v.ints[1], ==, 2);
	g_assert_false(v.has_secret);

	back = qmp_marshal_test_all(&v);
	g_assert_nonnull(back);
	g_assert_true(json_object_equal(obj, back));
	json_object_put(back);
	qmp_free_test_all(&v);
	g_assert_null(v.id);
	qmp_free_test_all(&v); /* zeroed: a second free is harmless */
	json_object_put(obj);
}

static void test_optional_absent(void)
{
	json_object *obj = with_member("names", NULL), *back;
	struct qmp_test_all v;

	json_object_object_del(obj, "opt-int");
	json_object_object_del(obj, "anys");
	g_assert_true(qmp_unmarshal_test_all(obj, "", &v, NULL));
	g_assert_false(v.has_names);
	g_assert_false(v.has_opt_int);
	g_assert_false(v.has_anys);
	back = qmp_marshal_test_all(&v);
	g_assert_true(json_object_equal(obj, back));
	json_object_put(back);
	qmp_free_test_all(&v);
	json_object_put(obj);
}

/* One refused argument: a member replaced, and the message */
struct bad_case {
	const char *member;
	const char *value; /* NULL: removed */
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{ "bogus", "1", "Parameter 'bogus' is unexpected" },
	{ "id", NULL, "Parameter 'id' is missing" },
	{ "inner", "{\"name\":\"n\"}", "Parameter 'inner.size' is missing" },
	{ "id", "1", "Invalid parameter type for 'id', expected: string" },
	{ "id", "null", "Invalid parameter type for 'id', expected: string" },
	{ "i", "1.0", "Invalid parameter type for 'i', expected: integer" },
	{ "i", "\"1\"", "Invalid parameter type for 'i', expected: integer" },
	{ "i", "9223372036854775808", "Parameter 'i' expects int64" },
	{ "i8", "128", "Parameter 'i8' expects int8" },
	{ "i8", "-129", "Parameter 'i8' expects int8" },
	{ "i16", "-32769", "Parameter 'i16' expects int16" },
	{ "i32", "2147483648", "Parameter 'i32' expects int32" },
	{ "u8", "256", "Parameter 'u8' expects uint8" },
	{ "u8", "-1", "Parameter 'u8' expects uint8" },
	{ "u16", "65536", "Parameter 'u16' expects uint16" },
	{ "u32", "4294967296", "Parameter 'u32' expects uint32" },
	{ "u64", "-1", "Parameter 'u64' expects uint64" },
	{ "sz", "-4096", "Parameter 'sz' expects size" },
	{ "num", "true", "Invalid parameter type for 'num', expected: number" },
	{ "flag", "1", "Invalid parameter type for 'flag', expected: boolean" },
	{ "color", "\"blue\"",
	  "Parameter 'color' does not accept value 'blue'" },
	{ "color", "\"ultraviolet\"",
	  "Parameter 'color' does not accept value 'ultraviolet'" },
	{ "color", "0",
	  "Invalid parameter type for 'color', expected: string" },
	{ "inner", "[]",
	  "Invalid parameter type for 'inner', expected: object" },
	{ "inner", "{\"size\":1,\"name\":\"n\",\"x\":0}",
	  "Parameter 'inner.x' is unexpected" },
	{ "queues", "{}",
	  "Invalid parameter type for 'queues', expected: array" },
	{ "queues",
	  "[{\"size\":1,\"name\":\"a\"},{\"size\":300,\"name\":\"b\"}]",
	  "Parameter 'queues[1].size' expects uint8" },
	{ "queues", "[{\"size\":1,\"name\":\"a\"},{\"size\":3}]",
	  "Parameter 'queues[1].name' is missing" },
	{ "queues", "[{\"size\":1,\"name\":\"a\",\"color\":\"pink\"}]",
	  "Parameter 'queues[0].color' does not accept value 'pink'" },
	{ "names", "[\"a\",2]",
	  "Invalid parameter type for 'names[1]', expected: string" },
	{ "colors", "[\"red\",\"x\"]",
	  "Parameter 'colors[1]' does not accept value 'x'" },
	{ "ints", "[1,70000]", "Parameter 'ints[1]' expects uint16" },
	/* conditional: CONFIG_TEST_X is not defined */
	{ "secret", "\"s\"", "Parameter 'secret' is unexpected" },
};

static void test_unmarshal_errors(void)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		json_object *obj = with_member(c->member, c->value);
		struct qmp_test_all v;
		struct error *err = NULL;
		bool ok = qmp_unmarshal_test_all(obj, "", &v, &err);

		g_test_message("%s: %s", c->member, c->value ? c->value : "-");
		if (!c->message) {
			g_assert_true(ok);
			qmp_free_test_all(&v);
			json_object_put(obj);
			continue;
		}
		g_assert_false(ok);
		g_assert_nonnull(err);
		g_assert_cmpstr(error_get_pretty(err), ==, c->message);
		g_assert_cmpint(error_get_code(err), ==,
				QMP_ERROR_CLASS_GENERIC_ERROR);
		/* freed and zeroed on failure */
		g_assert_null(v.id);
		g_assert_null(v.queues);
		g_assert_cmpuint(v.n_queues, ==, 0);
		error_free(err);
		json_object_put(obj);
	}
}

static void test_unmarshal_path(void)
{
	json_object *obj = parse("{\"size\":1000,\"name\":\"n\"}");
	struct qmp_test_inner v;
	struct error *err = NULL;

	g_assert_false(qmp_unmarshal_test_inner(obj, "list[3]", &v, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"Parameter 'list[3].size' expects uint8");
	error_free(err);
	err = NULL;
	g_assert_false(qmp_unmarshal_test_inner(NULL, "", &v, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"Invalid parameter type for '<anonymous>', expected: "
			"object");
	error_free(err);
	json_object_put(obj);
}

static void test_marshal_bad_enum(void)
{
	struct qmp_test_inner v = { .size = 1,
				    .name = NULL,
				    .has_color = true,
				    .color = QMP_TEST_COLOR__MAX };
	json_object *obj;

	g_assert_null(qmp_marshal_test_inner(&v));
	v.color = QMP_TEST_COLOR_RED;
	obj = qmp_marshal_test_inner(&v);
	g_assert_cmpstr(
		json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), ==,
		"{\"size\":1,\"name\":\"\",\"color\":\"red\"}");
	json_object_put(obj);
	g_assert_cmpstr(qmp_test_color_names[QMP_TEST_COLOR_LIGHT_BLUE], ==,
			"light-blue");
	g_assert_null(qmp_test_color_names[QMP_TEST_COLOR__MAX]);
}

/**
 * find() - The table entry of command @name, failing the test if absent
 * @name:	command name
 *
 * Return: the entry
 */
static const struct qmp_command *find(const char *name)
{
	size_t i;

	for (i = 0; i < qmp_n_commands; i++)
		if (!strcmp(qmp_commands[i].name, name))
			return &qmp_commands[i];
	g_assert_not_reached();
	return NULL;
}

/**
 * run() - Dispatch command @name with @args (JSON text)
 * @name:	command name
 * @args:	JSON text of the arguments
 * @ret:	the reply, as plain JSON text (g_free it), or NULL
 * @errp:	the error
 *
 * Return: what dispatch returned
 */
static bool run(const char *name, const char *args, char **ret,
		struct error **errp)
{
	struct qmp_request req = { NULL, NULL };
	json_object *a = parse(args), *r = NULL;
	bool ok = find(name)->dispatch(&req, a, &r, errp);

	*ret = r ? g_strdup(json_object_to_json_string_ext(
			   r, JSON_C_TO_STRING_PLAIN))
		 : NULL;
	json_object_put(r);
	json_object_put(a);
	return ok;
}

static void test_dispatch(void)
{
	struct error *err = NULL;
	char *ret;
	size_t i;

	g_assert_cmpuint(qmp_n_commands, ==, 5);
	for (i = 1; i < qmp_n_commands; i++)
		g_assert_cmpint(
			strcmp(qmp_commands[i - 1].name, qmp_commands[i].name),
			<, 0);
	for (i = 0; i < qmp_n_commands; i++)
		g_assert_cmpstr(qmp_commands[i].name, !=, "test-only-x");

	g_assert_true(run("test-nothing", "{}", &ret, &err));
	g_assert_cmpstr(ret, ==, "{}");
	g_free(ret);
	g_assert_false(run("test-nothing", "{\"a\":1}", &ret, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"Parameter 'a' is unexpected");
	g_assert_null(ret);
	error_free(err);
	err = NULL;

	g_assert_true(run("test-all", all_json, &ret, &err));
	{
		json_object *a = parse(all_json), *b = parse(ret);

		g_assert_true(json_object_equal(a, b));
		json_object_put(a);
		json_object_put(b);
	}
	g_free(ret);

	g_assert_true(run("test-list", "{\"n\":3}", &ret, &err));
	g_assert_cmpstr(ret, ==,
			"[{\"size\":0,\"name\":\"entry\"},{\"size\":1,\"name\":"
			"\"entry\",\"color\":\"light-blue\"},{\"size\":2,"
			"\"name\":\"entry\"}]");
	g_free(ret);
	g_assert_true(run("test-list", "{\"n\":0}", &ret, &err));
	g_assert_cmpstr(ret, ==, "[]");
	g_free(ret);
	g_assert_false(run("test-list", "{}", &ret, &err));
	g_assert_cmpstr(error_get_pretty(err), ==, "Parameter 'n' is missing");
	error_free(err);
	err = NULL;

	g_assert_false(run("test-fail", "{\"with-error\":true}", &ret, &err));
	g_assert_cmpstr(error_get_pretty(err), ==, "device 'x' not found");
	g_assert_cmpint(error_get_code(err), ==,
			QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
	error_free(err);
	err = NULL;
	g_assert_false(run("test-fail", "{}", &ret, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"Command 'test-fail' failed");
	error_free(err);
	err = NULL;

	g_assert_false(run("test-raw", "{\"x\":1}", &ret, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"Parameter 'x' is unexpected");
	error_free(err);
	err = NULL;
	g_assert_true(run("test-raw", "{}", &ret, &err));
	g_assert_cmpstr(ret, ==, "{}");
	g_free(ret);
}

static void test_events(void)
{
	struct qmp_test_event_data d = { .color = QMP_TEST_COLOR_GREEN,
					 .has_reason = true,
					 .reason = (char *)"r" };

	qmp_event_send_test_event(&d);
	g_assert_cmpstr(last_event, ==, "TEST_EVENT");
	g_assert_cmpstr(last_event_data, ==,
			"{\"color\":\"green\",\"reason\":\"r\"}");
	qmp_event_send_test_bare();
	g_assert_cmpstr(last_event, ==, "TEST_BARE");
	g_assert_null(last_event_data);
	g_free(last_event);
	last_event = NULL;
}

static void test_schema_json(void)
{
	json_object *schema = parse(qmp_schema_json);
	size_t i, n_commands = 0;

	g_assert_true(json_object_is_type(schema, json_type_array));
	for (i = 0; i < json_object_array_length(schema); i++) {
		json_object *e = json_object_array_get_idx(schema, i), *v;

		g_assert_true(json_object_object_get_ex(e, "meta-type", &v));
		if (!strcmp(json_object_get_string(v), "command"))
			n_commands++;
	}
	g_assert_cmpuint(n_commands, ==, qmp_n_commands);
	json_object_put(schema);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qapi-gen/unmarshal", test_unmarshal);
	g_test_add_func("/qapi-gen/optional-absent", test_optional_absent);
	g_test_add_func("/qapi-gen/unmarshal-errors", test_unmarshal_errors);
	g_test_add_func("/qapi-gen/unmarshal-path", test_unmarshal_path);
	g_test_add_func("/qapi-gen/marshal-bad-enum", test_marshal_bad_enum);
	g_test_add_func("/qapi-gen/dispatch", test_dispatch);
	g_test_add_func("/qapi-gen/events", test_events);
	g_test_add_func("/qapi-gen/schema-json", test_schema_json);
	return g_test_run();
}
