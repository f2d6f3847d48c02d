/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test stand-in for the generated qmp/qmp-gen.h: the declarations the
 * monitor's qmp_capabilities handler uses, with the generator's names and
 * shapes, so that the monitor's unit tests do not need the generator.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_QMP_FAKE_QMP_GEN_H
#define QD_TESTS_UNIT_QMP_FAKE_QMP_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "qmp/qmp-dispatch.h"

enum qmp_qmp_capability { QMP_QMP_CAPABILITY_OOB, QMP_QMP_CAPABILITY__MAX };
extern const char *const qmp_qmp_capability_names[];

struct qmp_qmp_capabilities_args {
	bool has_enable;
	size_t n_enable;
	enum qmp_qmp_capability *enable;
};

bool qmp_cmd_qmp_capabilities(struct qmp_request *req,
			      const struct qmp_qmp_capabilities_args *args,
			      struct error **errp);

#endif /* QD_TESTS_UNIT_QMP_FAKE_QMP_GEN_H */
