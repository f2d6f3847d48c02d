# The test schema's program: CONFIG_TEST_X is off
CONFIG_TEST_Y=y
