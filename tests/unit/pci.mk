# Host unit tests of PCI enumeration and BAR assignment (simulated bus).
UNIT_TESTS += test_pci
test_pci_SRCS := src/drivers/pci/enumerate.c src/drivers/pci/resource.c \
	src/lib/fmt.c
