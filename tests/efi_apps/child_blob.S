/* SPDX-License-Identifier: MIT */
/*
 * child.efi's bytes inside services_check.efi, for LoadImage from a
 * buffer. The build passes CHILD_EFI, the file's path in quotes. In
 * .rodata: the parent only reads it (gnu-efi's linker script puts
 * .rodata in the read-only, executable .text section).
 */
	.section .rodata.child_efi, "a"
	.balign 16
	.global child_efi_start
	.hidden child_efi_start
	.global child_efi_end
	.hidden child_efi_end
child_efi_start:
	.incbin CHILD_EFI
child_efi_end:
