/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test dispatch table of the monitor's unit tests: bytes, echo, emit,
 * fail, gate, qmp_capabilities, slow, target.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_QMP_QMP_TEST_COMMANDS_H
#define QD_TESTS_UNIT_QMP_QMP_TEST_COMMANDS_H

#include "qmp/qmp-dispatch.h"

/* The target every test monitor is created with: "target" checks it */
extern struct qmp_target qmp_test_target;

/*
 * The "gate" command blocks the monitor thread until the test opens the
 * gate: qmp_test_gate_reset() before sending it, then
 * qmp_test_gate_wait_entered(), then qmp_test_gate_open().
 */
void qmp_test_gate_reset(void);
bool qmp_test_gate_wait_entered(void);
void qmp_test_gate_open(void);

#endif /* QD_TESTS_UNIT_QMP_QMP_TEST_COMMANDS_H */
