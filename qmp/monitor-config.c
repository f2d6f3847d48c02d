/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monitor options of the command line: --chardev, --monitor and --qmp,
 * as qemu-storage-daemon takes them.
 *
 * Values are QEMU's "key=value,key=value" lists, where ",," stands for a
 * comma inside a value. The first element may be a bare value for an
 * implied key: the back-end of --chardev ("socket"), the chardev of
 * --monitor. A later bare "KEY" or "noKEY" of a boolean key means KEY=on or
 * KEY=off, QEMU's legacy short forms ("server,nowait"). Only what a QMP
 * monitor on a listening UNIX socket needs is accepted; anything else is
 * refused with the option and key at fault.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "qmp/monitor.h"

/* sizeof(sun_path) - 1 */
#define QMP_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* One element of an option: "key=value", or a bare value (key NULL) */
struct qmp_kv {
	char *key;
	char *value;
};

struct qmp_kvlist {
	struct qmp_kv *kv;
	unsigned int n;
};

/* A --chardev (or the one of a --qmp) */
struct qmp_chardev {
	char *id;
	char *path;
	int fd;
	bool used; /* by a monitor */
};

/**
 * qmp_kvlist_free() - Free the elements of an option
 * @l:		list; emptied
 */
static void qmp_kvlist_free(struct qmp_kvlist *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		free(l->kv[i].key);
		free(l->kv[i].value);
	}
	free(l->kv);
	l->kv = NULL;
	l->n = 0;
}

/**
 * qmp_kvlist_split() - Split an option into its elements
 * @opt:	the option's value
 * @what:	the option, for errors ("--chardev")
 * @l:		filled; free with qmp_kvlist_free() in any case
 * @errp:	set on failure
 *
 * ",," is a literal comma; an element is split at its first '='.
 *
 * Return: true on success
 */
static bool qmp_kvlist_split(const char *opt, const char *what,
			     struct qmp_kvlist *l, struct error **errp)
{
	size_t len = strlen(opt), i, o;
	char *elem, *eq;
	bool sep;

	l->kv = NULL;
	l->n = 0;
	while (*opt) {
		struct qmp_kv *kv;

		elem = malloc(len + 1);
		kv = realloc(l->kv, (l->n + 1) * sizeof(*l->kv));
		if (!elem || !kv) {
			free(elem);
			if (kv)
				l->kv = kv;
			error_setg(errp, "%s: out of memory", what);
			return false;
		}
		l->kv = kv;
		for (i = 0, o = 0; opt[i]; i++) {
			if (opt[i] == ',' && opt[i + 1] != ',')
				break;
			elem[o++] = opt[i];
			if (opt[i] == ',')
				i++;
		}
		elem[o] = '\0';
		sep = opt[i] == ',';
		opt += sep ? i + 1 : i;
		if (!o) {
			free(elem);
			error_setg(errp, "%s: empty element", what);
			return false;
		}
		kv = &l->kv[l->n++];
		eq = strchr(elem, '=');
		if (eq) {
			*eq = '\0';
			kv->key = elem;
			kv->value = strdup(eq + 1);
			if (!kv->value) {
				error_setg(errp, "%s: out of memory", what);
				return false;
			}
		} else {
			kv->key = NULL;
			kv->value = elem;
		}
		/* "socket," ends in an empty element */
		if (sep && !*opt) {
			error_setg(errp, "%s: empty element", what);
			return false;
		}
	}
	return true;
}

/**
 * qmp_kvlist_get() - The value of a key
 * @l:		elements
 * @key:	key
 *
 * Return: its value, or NULL if absent
 */
static const char *qmp_kvlist_get(const struct qmp_kvlist *l, const char *key)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->kv[i].key && !strcmp(l->kv[i].key, key))
			return l->kv[i].value;
	return NULL;
}

/**
 * qmp_kvlist_check() - Name the bare values; refuse unknown and repeated keys
 * @l:		elements; bare ones get their key
 * @implied:	key of a bare first element, or NULL if none may be bare
 * @keys:	NULL-terminated known keys
 * @bools:	NULL-terminated boolean keys (short forms KEY and noKEY)
 * @prefix:	for errors ("--chardev 'ID'")
 * @errp:	set on failure
 *
 * Return: true if every element is a known key given once
 */
static bool qmp_kvlist_check(struct qmp_kvlist *l, const char *implied,
			     const char *const *keys, const char *const *bools,
			     const char *prefix, struct error **errp)
{
	unsigned int i, j;

	for (i = 0; i < l->n; i++) {
		struct qmp_kv *kv = &l->kv[i];

		if (!kv->key && i == 0 && implied) {
			kv->key = strdup(implied);
		} else if (!kv->key) {
			for (j = 0; bools[j]; j++) {
				if (!strcmp(kv->value, bools[j])) {
					kv->key = kv->value;
					kv->value = strdup("on");
					break;
				}
				if (!strncmp(kv->value, "no", 2) &&
				    !strcmp(kv->value + 2, bools[j])) {
					kv->key = strdup(bools[j]);
					free(kv->value);
					kv->value = strdup("off");
					break;
				}
			}
			if (!bools[j]) {
				error_setg(errp, "%s: unknown key '%s'", prefix,
					   kv->value);
				return false;
			}
		}
		if (!kv->key || !kv->value) {
			error_setg(errp, "%s: out of memory", prefix);
			return false;
		}
		for (j = 0; keys[j]; j++)
			if (!strcmp(kv->key, keys[j]))
				break;
		if (!keys[j]) {
			error_setg(errp, "%s: unknown key '%s'", prefix,
				   kv->key);
			return false;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(l->kv[j].key, kv->key)) {
				error_setg(errp, "%s: key '%s' is given twice",
					   prefix, kv->key);
				return false;
			}
		}
	}
	return true;
}

/**
 * qmp_parse_bool() - Parse an on/off value, as QEMU's options do
 * @value:	the value, or NULL for @dflt
 * @dflt:	default
 * @out:	the result
 * @prefix:	for errors ("--monitor")
 * @key:	for errors ("pretty")
 * @errp:	set on failure
 *
 * Return: true if @value is on/yes/true/y or off/no/false/n
 */
static bool qmp_parse_bool(const char *value, bool dflt, bool *out,
			   const char *prefix, const char *key,
			   struct error **errp)
{
	static const char *const on[] = { "on", "yes", "true", "y" };
	static const char *const off[] = { "off", "no", "false", "n" };
	unsigned int i;

	*out = dflt;
	if (!value)
		return true;
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (!strcmp(value, on[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(value, off[i])) {
			*out = false;
			return true;
		}
	}
	error_setg(errp, "%s: %s: '%s' is not on or off", prefix, key, value);
	return false;
}

/**
 * qmp_valid_id() - Whether an id is one QEMU accepts
 * @id:		the id
 *
 * Return: true for a letter followed by letters, digits, '-', '.', '_'
 */
static bool qmp_valid_id(const char *id)
{
	const char *p;

	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	for (p = id + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		      *p == '_'))
			return false;
	return true;
}

/**
 * qmp_socket_options() - Check the socket keys of a chardev and take them
 * @l:		its elements, checked by qmp_kvlist_check()
 * @cd:		chardev; path or fd is set
 * @prefix:	for errors ("--chardev 'ID'")
 * @errp:	set on failure
 *
 * Return: true for a listening socket at a path or an inherited fd
 */
static bool qmp_socket_options(const struct qmp_kvlist *l,
			       struct qmp_chardev *cd, const char *prefix,
			       struct error **errp)
{
	const char *path = qmp_kvlist_get(l, "path");
	const char *fd = qmp_kvlist_get(l, "fd");
	bool server, wait;
	char *end;
	long n;

	if (!qmp_parse_bool(qmp_kvlist_get(l, "server"), true, &server, prefix,
			    "server", errp) ||
	    !qmp_parse_bool(qmp_kvlist_get(l, "wait"), false, &wait, prefix,
			    "wait", errp))
		return false;
	if (!server) {
		error_setg(errp,
			   "%s: server=off is not supported: the monitor "
			   "listens",
			   prefix);
		return false;
	}
	if (wait) {
		error_setg(errp,
			   "%s: wait=on is not supported: the monitor "
			   "does not wait for a client",
			   prefix);
		return false;
	}
	if (!path == !fd) {
		error_setg(errp, "%s: exactly one of path= and fd= is needed",
			   prefix);
		return false;
	}
	cd->fd = -1;
	if (path) {
		if (!*path) {
			error_setg(errp, "%s: path is empty", prefix);
			return false;
		}
		if (strlen(path) > QMP_PATH_MAX) {
			error_setg(errp, "%s: path is longer than %zu bytes",
				   prefix, QMP_PATH_MAX);
			return false;
		}
		cd->path = strdup(path);
		if (!cd->path) {
			error_setg(errp, "%s: out of memory", prefix);
			return false;
		}
		return true;
	}
	errno = 0;
	n = strtol(fd, &end, 10);
	if (!*fd || *end || errno || n < 0 || n > INT_MAX) {
		error_setg(errp, "%s: fd: '%s' is not a file descriptor number",
			   prefix, fd);
		return false;
	}
	cd->fd = n;
	return true;
}

/**
 * qmp_parse_chardev() - Parse one --chardev
 * @opt:	its value
 * @cd:		filled on success
 * @errp:	set on failure
 *
 * Return: true for a valid socket chardev
 */
static bool qmp_parse_chardev(const char *opt, struct qmp_chardev *cd,
			      struct error **errp)
{
	static const char *const keys[] = { "backend", "id",   "path", "fd",
					    "server",  "wait", NULL };
	static const char *const bools[] = { "server", "wait", NULL };
	char prefix[128] = "--chardev";
	struct qmp_kvlist l;
	const char *id, *backend;
	bool ok = false;

	if (!qmp_kvlist_split(opt, prefix, &l, errp))
		goto out;
	/* Name the chardev in every later error, when it has an id */
	id = qmp_kvlist_get(&l, "id");
	if (id && *id)
		snprintf(prefix, sizeof(prefix), "--chardev '%.100s'", id);
	if (!qmp_kvlist_check(&l, "backend", keys, bools, prefix, errp))
		goto out;
	backend = qmp_kvlist_get(&l, "backend");
	if (!backend) {
		error_setg(errp, "%s: no back-end type (socket)", prefix);
		goto out;
	}
	if (strcmp(backend, "socket")) {
		error_setg(errp,
			   "%s: backend '%s' is not supported (only socket)",
			   prefix, backend);
		goto out;
	}
	if (!id) {
		error_setg(errp, "%s: id= is missing", prefix);
		goto out;
	}
	if (!qmp_valid_id(id)) {
		error_setg(errp,
			   "--chardev: id '%s' is invalid: a letter, then "
			   "letters, digits, '-', '.', '_'",
			   id);
		goto out;
	}
	cd->id = strdup(id);
	if (!cd->id) {
		error_setg(errp, "%s: out of memory", prefix);
		goto out;
	}
	ok = qmp_socket_options(&l, cd, prefix, errp);
out:
	qmp_kvlist_free(&l);
	return ok;
}

/**
 * qmp_parse_qmp() - Parse one --qmp: unix:PATH[,server=on][,wait=off]
 * @opt:	its value
 * @index:	its position among the --qmp options, for its chardev id
 * @cd:		filled on success: chardev "qmpN"
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool qmp_parse_qmp(const char *opt, unsigned int index,
			  struct qmp_chardev *cd, struct error **errp)
{
	static const char *const keys[] = { "path", "server", "wait", NULL };
	static const char *const bools[] = { "server", "wait", NULL };
	size_t kind = strcspn(opt, ":,");
	struct qmp_kvlist l;
	bool ok = false;
	char id[32];

	if (strncmp(opt, "unix:", 5)) {
		if (opt[kind] == ':')
			error_setg(errp,
				   "--qmp: '%.*s:' addresses are not supported "
				   "(only unix:PATH)",
				   (int)(kind > 32 ? 32 : kind), opt);
		else
			error_setg(errp,
				   "--qmp: '%.*s' is not supported (only "
				   "unix:PATH)",
				   (int)(kind > 32 ? 32 : kind), opt);
		return false;
	}
	if (!qmp_kvlist_split(opt + 5, "--qmp", &l, errp))
		goto out;
	if (!l.n) {
		error_setg(errp, "--qmp: unix: needs a path");
		goto out;
	}
	/* The path is the first element, even if it holds a '=' */
	if (l.kv[0].key) {
		char *path;

		if (asprintf(&path, "%s=%s", l.kv[0].key, l.kv[0].value) < 0) {
			error_setg(errp, "--qmp: out of memory");
			goto out;
		}
		free(l.kv[0].key);
		free(l.kv[0].value);
		l.kv[0].key = NULL;
		l.kv[0].value = path;
	}
	if (!qmp_kvlist_check(&l, "path", keys, bools, "--qmp", errp))
		goto out;
	snprintf(id, sizeof(id), "qmp%u", index);
	cd->id = strdup(id);
	if (!cd->id) {
		error_setg(errp, "--qmp: out of memory");
		goto out;
	}
	ok = qmp_socket_options(&l, cd, "--qmp", errp);
out:
	qmp_kvlist_free(&l);
	return ok;
}

/**
 * qmp_parse_monitor() - Parse one --monitor
 * @opt:	its value
 * @chardev:	set to the chardev= value (owned by the caller)
 * @pretty:	set to pretty=
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool qmp_parse_monitor(const char *opt, char **chardev, bool *pretty,
			      struct error **errp)
{
	static const char *const keys[] = { "chardev", "mode", "pretty", "id",
					    NULL };
	static const char *const bools[] = { "pretty", NULL };
	const char *mode, *cd;
	struct qmp_kvlist l;
	bool ok = false;

	if (!qmp_kvlist_split(opt, "--monitor", &l, errp) ||
	    !qmp_kvlist_check(&l, "chardev", keys, bools, "--monitor", errp))
		goto out;
	cd = qmp_kvlist_get(&l, "chardev");
	if (!cd) {
		error_setg(errp, "--monitor: chardev= is missing");
		goto out;
	}
	mode = qmp_kvlist_get(&l, "mode");
	if (mode && strcmp(mode, "control")) {
		error_setg(errp,
			   "--monitor: mode=%s is not supported (only control)",
			   mode);
		goto out;
	}
	if (!qmp_parse_bool(qmp_kvlist_get(&l, "pretty"), false, pretty,
			    "--monitor", "pretty", errp))
		goto out;
	*chardev = strdup(cd);
	if (!*chardev) {
		error_setg(errp, "--monitor: out of memory");
		goto out;
	}
	ok = true;
out:
	qmp_kvlist_free(&l);
	return ok;
}

/**
 * qmp_chardev_add() - Add a chardev unless its id, path or fd is taken
 * @cds:	chardevs so far
 * @n:		their number; incremented on success
 * @cd:		the new one (moved into @cds, or freed)
 * @what:	its option, for errors
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool qmp_chardev_add(struct qmp_chardev *cds, unsigned int *n,
			    struct qmp_chardev *cd, const char *what,
			    struct error **errp)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (!strcmp(cds[i].id, cd->id)) {
			if (!strcmp(what, "--qmp"))
				error_setg(errp,
					   "--qmp: its chardev id '%s' is "
					   "taken by a --chardev",
					   cd->id);
			else
				error_setg(errp, "%s: id '%s' is used twice",
					   what, cd->id);
			break;
		}
		if (cd->path && cds[i].path && !strcmp(cds[i].path, cd->path)) {
			error_setg(errp,
				   "%s '%s': path %s is also the one of "
				   "--chardev '%s'",
				   what, cd->id, cd->path, cds[i].id);
			break;
		}
		if (cd->fd >= 0 && cds[i].fd == cd->fd) {
			error_setg(errp,
				   "%s '%s': fd %d is also the one of "
				   "--chardev '%s'",
				   what, cd->id, cd->fd, cds[i].id);
			break;
		}
	}
	if (i < *n) {
		free(cd->id);
		free(cd->path);
		return false;
	}
	cds[(*n)++] = *cd;
	return true;
}

/**
 * qmp_spec_add() - Add a monitor on a chardev
 * @cfg:	configuration; specs has room
 * @cd:		its chardev, marked used
 * @pretty:	pretty=
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool qmp_spec_add(struct qmp_monitor_config *cfg, struct qmp_chardev *cd,
			 bool pretty, struct error **errp)
{
	struct qmp_monitor_spec *s = &cfg->specs[cfg->n_specs];

	s->chardev_id = strdup(cd->id);
	s->path = cd->path ? strdup(cd->path) : NULL;
	s->fd = cd->fd;
	s->pretty = pretty;
	cfg->n_specs++;
	if (!s->chardev_id || (cd->path && !s->path)) {
		error_setg(errp, "out of memory for the monitor options");
		return false;
	}
	cd->used = true;
	return true;
}

/**
 * qmp_add_monitors() - Parse every --monitor and add its spec
 * @cfg:	configuration
 * @cds:	the chardevs
 * @n_cds:	their number
 * @monitors:	the --monitor values
 * @n_monitors:	their number
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool qmp_add_monitors(struct qmp_monitor_config *cfg,
			     struct qmp_chardev *cds, unsigned int n_cds,
			     const char *const *monitors,
			     unsigned int n_monitors, struct error **errp)
{
	unsigned int i, j;
	char *name;
	bool pretty;

	for (i = 0; i < n_monitors; i++) {
		if (!qmp_parse_monitor(monitors[i], &name, &pretty, errp))
			return false;
		for (j = 0; j < n_cds; j++)
			if (!strcmp(cds[j].id, name))
				break;
		if (j == n_cds)
			error_setg(errp, "--monitor: no --chardev with id '%s'",
				   name);
		else if (cds[j].used)
			error_setg(errp,
				   "--monitor: --chardev '%s' is used by "
				   "another monitor",
				   name);
		free(name);
		if (j == n_cds || cds[j].used ||
		    !qmp_spec_add(cfg, &cds[j], pretty, errp))
			return false;
	}
	return true;
}

/**
 * qmp_monitor_config_free() - Free what qmp_monitor_config_parse() filled
 * @cfg:	configuration; emptied
 */
void qmp_monitor_config_free(struct qmp_monitor_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_specs; i++) {
		free(cfg->specs[i].chardev_id);
		free(cfg->specs[i].path);
	}
	free(cfg->specs);
	cfg->specs = NULL;
	cfg->n_specs = 0;
}

/**
 * qmp_monitor_config_parse() - The monitors of a command line
 * @cfg:	filled on success; empty on failure
 * @chardevs:	the --chardev values
 * @n_chardevs:	their number
 * @monitors:	the --monitor values
 * @n_monitors:	their number
 * @qmps:	the --qmp values
 * @n_qmps:	their number
 * @errp:	set on failure, naming the option and key at fault
 *
 * Monitors come in command line order, the --monitor ones first; every
 * chardev must be used by exactly one monitor.
 *
 * Return: true on success
 */
bool qmp_monitor_config_parse(struct qmp_monitor_config *cfg,
			      const char *const *chardevs,
			      unsigned int n_chardevs,
			      const char *const *monitors,
			      unsigned int n_monitors, const char *const *qmps,
			      unsigned int n_qmps, struct error **errp)
{
	unsigned int n_cds = 0, n_max = n_chardevs + n_qmps, i;
	struct qmp_chardev *cds = NULL, cd;
	bool ok = false;

	cfg->specs = NULL;
	cfg->n_specs = 0;
	if (!n_max && !n_monitors)
		return true;
	cds = calloc(n_max ? n_max : 1, sizeof(*cds));
	cfg->specs = calloc(n_monitors + n_qmps ? n_monitors + n_qmps : 1,
			    sizeof(*cfg->specs));
	if (!cds || !cfg->specs) {
		error_setg(errp, "out of memory for the monitor options");
		goto out;
	}
	for (i = 0; i < n_chardevs; i++) {
		memset(&cd, 0, sizeof(cd));
		if (!qmp_parse_chardev(chardevs[i], &cd, errp)) {
			free(cd.id);
			free(cd.path);
			goto out;
		}
		if (!qmp_chardev_add(cds, &n_cds, &cd, "--chardev", errp))
			goto out;
	}
	if (!qmp_add_monitors(cfg, cds, n_cds, monitors, n_monitors, errp))
		goto out;
	for (i = 0; i < n_qmps; i++) {
		memset(&cd, 0, sizeof(cd));
		if (!qmp_parse_qmp(qmps[i], i, &cd, errp)) {
			free(cd.id);
			free(cd.path);
			goto out;
		}
		if (!qmp_chardev_add(cds, &n_cds, &cd, "--qmp", errp) ||
		    !qmp_spec_add(cfg, &cds[n_cds - 1], false, errp))
			goto out;
	}
	for (i = 0; i < n_cds; i++) {
		if (!cds[i].used) {
			error_setg(errp, "--chardev '%s': no --monitor uses it",
				   cds[i].id);
			goto out;
		}
	}
	ok = true;
out:
	for (i = 0; i < n_cds; i++) {
		free(cds[i].id);
		free(cds[i].path);
	}
	free(cds);
	if (!ok)
		qmp_monitor_config_free(cfg);
	return ok;
}
