# Host unit tests of the SCSI disk logic (simulated target).
UNIT_TESTS += test_scsi
test_scsi_SRCS := src/drivers/scsi/disk.c
