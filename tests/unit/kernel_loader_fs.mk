# QEMU's kernel-loader filesystem over a fake fw_cfg.
UNIT_TESTS += test_kernel_loader_fs
test_kernel_loader_fs_SRCS := src/efi/kernel_loader_fs.c src/lib/ucs2.c
